// A YAML document as a tree of nodes with their lines: read quickly where the text is the
// plain YAML that project files are written in, by yaml-cpp where it is anything else.
#pragma once

#include <QString>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

/// The first document of a YAML text, as the nodes yaml-cpp makes of it: each with its
/// kind, its value, its line and column, maps with their keys in file order (duplicates
/// kept), and an alias as the very node it names. Two readers make it:
///
/// - the quick reader takes the block and one-line flow YAML that a project file is
///   written in (mappings, lists, plain and quoted scalars, comments) and gives up, at no
///   cost but the time it took, on anything else;
/// - yaml-cpp reads everything else, through its events, refusing documents deeper than
///   \a maxDepth or of more than \a maxNodes nodes before any tree is built.
///
/// Both give the same tree for what the quick reader takes; tst_yamltree proves it on
/// every file the project ships and on mutations of them.
class YamlTree
{
public:
    enum class Kind : std::uint8_t { Undefined, Null, Scalar, Sequence, Map };
    enum class Reader {
        Any,     ///< the quick reader, then yaml-cpp where it gives up
        Quick,   ///< the quick reader alone: no tree (and no error) where it gives up
        YamlCpp, ///< yaml-cpp alone
    };

    /// A failed read: the line (1-based; 0 when not known) and what is wrong.
    struct Error
    {
        int line = 0;
        QString message;
    };

    struct Limits
    {
        int maxDepth = 32;
        int maxNodes = 400000;
    };

    class Node;
    /// A key and its value in a map.
    struct Entry;
    /// A sequence's items (T = Node) or a map's entries (T = Entry), for range-for.
    template <typename T>
    class Children;

    /// Reads the first document of \a text; a text without one gives a null root.
    static std::optional<YamlTree> read(std::string_view text, Limits limits, Error *error, Reader reader = Reader::Any);

    Node root() const;
    /// True when the quick reader made this tree.
    bool readQuickly() const { return m_quick; }

private:
    friend class YamlTreeBuilder;

    struct Data
    {
        Kind kind;
        int line;         ///< 1-based
        int column;       ///< 0-based, in bytes
        std::uint32_t at; ///< a scalar's first byte in m_text; a collection's first child in m_children
        std::uint32_t size;
    };

    std::vector<Data> m_nodes;
    std::vector<std::uint32_t> m_children; ///< a map's children are key, value, key, value...
    std::string m_text;
    std::uint32_t m_root = 0;
    bool m_quick = false;
};

/// A node of a YamlTree, or an undefined one: what a map gives for a key it does not
/// have. Cheap to copy; valid while its tree lives where it was when the node was taken
/// (it points at the tree: moving the tree leaves it dangling).
class YamlTree::Node
{
public:
    Node() = default;

    bool isDefined() const { return m_tree && kind() != Kind::Undefined; }
    bool isNull() const { return kind() == Kind::Null; }
    bool isScalar() const { return kind() == Kind::Scalar; }
    bool isSequence() const { return kind() == Kind::Sequence; }
    bool isMap() const { return kind() == Kind::Map; }
    Kind kind() const { return m_tree ? data().kind : Kind::Undefined; }

    /// A scalar's value as it was written, unquoted; empty for any other node.
    std::string_view scalar() const;
    /// scalar() as text.
    QString text() const;

    /// 1-based line; 0 for an undefined node.
    int line() const { return m_tree ? data().line : 0; }
    /// 0-based column, in bytes; 0 for an undefined node.
    int column() const { return m_tree ? data().column : 0; }

    /// The value of the first entry whose key is the scalar \a key; undefined when there is
    /// none or this is not a map.
    Node operator[](std::string_view key) const;

    /// Items of a sequence, entries of a map; 0 for any other node.
    std::uint32_t size() const { return isSequence() ? data().size : isMap() ? data().size / 2 : 0; }
    /// Item \a i of a sequence.
    Node item(std::uint32_t i) const;
    /// Entry \a i of a map.
    Entry entry(std::uint32_t i) const;
    /// The items of a sequence; none for any other node.
    Children<Node> items() const;
    /// The entries of a map; none for any other node.
    Children<Entry> entries() const;

    /// Identity: the same node of the same tree (an alias and what it names are one).
    bool operator==(const Node &other) const { return m_tree == other.m_tree && m_index == other.m_index; }

private:
    friend class YamlTree;
    Node(const YamlTree *tree, std::uint32_t index)
        : m_tree(tree)
        , m_index(index)
    {
    }
    const Data &data() const { return m_tree->m_nodes[m_index]; }
    Node child(std::uint32_t i) const { return Node(m_tree, m_tree->m_children[data().at + i]); }

    const YamlTree *m_tree = nullptr;
    std::uint32_t m_index = 0;
};

struct YamlTree::Entry
{
    Node key;
    Node value;
};

inline YamlTree::Node YamlTree::root() const
{
    return Node(this, m_root);
}

template <typename T>
class YamlTree::Children
{
public:
    class Iterator
    {
    public:
        T operator*() const
        {
            if constexpr (std::is_same_v<T, Entry>)
                return m_node.entry(m_index);
            else
                return m_node.item(m_index);
        }
        Iterator &operator++()
        {
            ++m_index;
            return *this;
        }
        bool operator!=(const Iterator &other) const { return m_index != other.m_index; }

    private:
        friend class Children;
        Iterator(Node node, std::uint32_t index)
            : m_node(node)
            , m_index(index)
        {
        }
        Node m_node;
        std::uint32_t m_index;
    };

    Iterator begin() const { return Iterator(m_node, 0); }
    Iterator end() const { return Iterator(m_node, m_size); }

private:
    friend class Node;
    Children(Node node, std::uint32_t size)
        : m_node(node)
        , m_size(size)
    {
    }
    Node m_node;
    std::uint32_t m_size;
};

inline YamlTree::Children<YamlTree::Node> YamlTree::Node::items() const
{
    return Children<Node>(*this, isSequence() ? size() : 0);
}

inline YamlTree::Children<YamlTree::Entry> YamlTree::Node::entries() const
{
    return Children<Entry>(*this, isMap() ? size() : 0);
}
