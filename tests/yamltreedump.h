// A YamlTree as text, node by node, for comparing the quick reader's tree with yaml-cpp's
// (the unit test and the fuzz target).
#pragma once

#include "yamltree.h"

#include <QByteArray>

#include <optional>

namespace YamlTreeDump {

/// Every node of \a node with its kind, line, column and value, one a line, indented by
/// depth: two trees are the same when their dumps are.
inline void dump(YamlTree::Node node, int depth, QByteArray *out)
{
    static const char *const kinds[] = {"undefined", "null", "scalar", "list", "map"};
    *out += QByteArray(depth * 2, ' ') + kinds[int(node.kind())] + ' ' + QByteArray::number(node.line()) + ':'
            + QByteArray::number(node.column());
    if (node.isScalar())
        *out += " [" + QByteArray(node.scalar().data(), qsizetype(node.scalar().size())) + ']';
    *out += '\n';
    if (depth > 40) // an alias inside itself; the quick reader makes none
        return;
    for (const YamlTree::Node item : node.items())
        dump(item, depth + 1, out);
    for (const auto &entry : node.entries()) {
        dump(entry.key, depth + 1, out);
        dump(entry.value, depth + 2, out);
    }
}

/// The dump of \a tree's root; empty for no tree.
inline QByteArray dump(const std::optional<YamlTree> &tree)
{
    QByteArray out;
    if (tree)
        dump(tree->root(), 0, &out);
    return out;
}

} // namespace YamlTreeDump
