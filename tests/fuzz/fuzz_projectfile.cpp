// libFuzzer target: the YAML project loader must refuse bad input cleanly and fast.
#include "projectfile.h"

#include <cstdint>
#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArray text(reinterpret_cast<const char *>(data), qsizetype(size));
    ProjectFile::LoadError error;
    QList<Diagnostic> warnings;
    if (const auto project = ProjectFile::parse(text, QStringLiteral("fuzz.yaml"), &error, &warnings)) {
        // A loaded project saves to a file that loads to the same project, with every
        // comment still there (one may move to the next key a save writes).
        const auto again = ProjectFile::parse(ProjectFile::serialize(*project), QStringLiteral("again.yaml"), &error);
        if (!again || again->hosts != project->hosts || again->links != project->links
            || again->defaults != project->defaults || again->network != project->network)
            std::abort();
        QStringList before;
        QStringList after;
        for (const ProjectComment &comment : project->comments)
            before.append(comment.text);
        for (const ProjectComment &comment : again->comments)
            after.append(comment.text);
        before.sort();
        after.sort();
        if (before != after)
            std::abort();
    } else if (error.message.isEmpty()) {
        std::abort(); // a refusal always says why
    }
    return 0;
}
