// libFuzzer target: wherever the quick YAML reader takes a text, yaml-cpp takes it too and
// gives the same tree, node for node, with the same lines and columns.
#include "projectfile.h"
#include "yamltree.h"
#include "yamltreedump.h"

#include <cstdint>
#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const std::string_view text(reinterpret_cast<const char *>(data), size);
    const YamlTree::Limits limits{ProjectFile::MaxDepth, ProjectFile::MaxNodes};
    YamlTree::Error error;
    const auto quick = YamlTree::read(text, limits, &error, YamlTree::Reader::Quick);
    if (!quick)
        return 0;
    const auto full = YamlTree::read(text, limits, &error, YamlTree::Reader::YamlCpp);
    if (!full || YamlTreeDump::dump(quick) != YamlTreeDump::dump(full))
        std::abort();
    return 0;
}
