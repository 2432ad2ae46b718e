// A YAML document as a tree of nodes with their lines: the quick reader for the plain YAML
// of project files, and yaml-cpp's events for everything else.
#include "yamltree.h"

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/exceptions.h>
#include <yaml-cpp/mark.h>
#include <yaml-cpp/parser.h>

#include <algorithm>
#include <cstring>
#include <sstream>

std::string_view YamlTree::Node::scalar() const
{
    if (!isScalar())
        return {};
    const Data &d = data();
    return std::string_view(m_tree->m_text).substr(d.at, d.size);
}

QString YamlTree::Node::text() const
{
    const std::string_view value = scalar();
    return QString::fromUtf8(value.data(), qsizetype(value.size()));
}

YamlTree::Node YamlTree::Node::operator[](std::string_view key) const
{
    if (!isMap())
        return {};
    const std::uint32_t entries = data().size / 2;
    for (std::uint32_t i = 0; i < entries; ++i) {
        const Node k = child(2 * i);
        if (k.isScalar() && k.scalar() == key)
            return child(2 * i + 1);
    }
    return {};
}

YamlTree::Node YamlTree::Node::item(std::uint32_t i) const
{
    Q_ASSERT(isSequence() && i < data().size);
    return child(i);
}

YamlTree::Entry YamlTree::Node::entry(std::uint32_t i) const
{
    Q_ASSERT(isMap() && 2 * i < data().size);
    return {child(2 * i), child(2 * i + 1)};
}

/// Adds nodes in document order, as the events come: a collection's children wait on a
/// stack until it closes, then move to the tree side by side.
class YamlTreeBuilder
{
public:
    /// Thrown when a limit is passed; the message is the reader's to say.
    struct LimitPassed
    {
        bool depth; ///< else the node count
        int line;
    };

    explicit YamlTreeBuilder(YamlTree::Limits limits)
        : m_limits(limits)
    {
    }

    std::uint32_t scalar(int line, int column, std::string_view value)
    {
        const std::uint32_t index = add(YamlTree::Kind::Scalar, line, column);
        m_tree.m_nodes[index].at = std::uint32_t(m_tree.m_text.size());
        m_tree.m_nodes[index].size = std::uint32_t(value.size());
        m_tree.m_text.append(value);
        return index;
    }
    std::uint32_t null(int line, int column) { return add(YamlTree::Kind::Null, line, column); }
    /// An alias: the node again, counted as one more.
    void again(int line, std::uint32_t index)
    {
        count(line);
        m_pending.push_back(index);
    }
    std::uint32_t open(YamlTree::Kind kind, int line, int column)
    {
        const std::uint32_t index = add(kind, line, column);
        if (int(m_open.size()) >= m_limits.maxDepth)
            throw LimitPassed{true, line};
        m_open.push_back({index, m_pending.size()});
        return index;
    }
    void close()
    {
        const auto [index, first] = m_open.back();
        m_open.pop_back();
        YamlTree::Data &node = m_tree.m_nodes[index];
        node.at = std::uint32_t(m_tree.m_children.size());
        node.size = std::uint32_t(m_pending.size() - first);
        m_tree.m_children.insert(m_tree.m_children.end(), m_pending.begin() + qsizetype(first), m_pending.end());
        m_pending.resize(first);
    }

    /// The tree, its root the first node; a null root when nothing was added.
    YamlTree take(bool quick)
    {
        if (m_tree.m_nodes.empty())
            m_tree.m_nodes.push_back({YamlTree::Kind::Null, 0, 0, 0, 0});
        m_tree.m_root = 0;
        m_tree.m_quick = quick;
        return std::move(m_tree);
    }

private:
    void count(int line)
    {
        if (++m_count > m_limits.maxNodes)
            throw LimitPassed{false, line};
    }
    std::uint32_t add(YamlTree::Kind kind, int line, int column)
    {
        count(line);
        const auto index = std::uint32_t(m_tree.m_nodes.size());
        m_tree.m_nodes.push_back({kind, line, column, 0, 0});
        if (!m_open.empty())
            m_pending.push_back(index);
        return index;
    }

    struct Open
    {
        std::uint32_t index;
        size_t firstPending;
    };
    YamlTree::Limits m_limits;
    YamlTree m_tree;
    std::vector<std::uint32_t> m_pending;
    std::vector<Open> m_open;
    int m_count = 0;
};

namespace {

// ---------------------------------------------------------------------------------------
// The quick reader

/// Reads block mappings and lists, flow collections on one line, plain scalars on one line,
/// quoted scalars on one line (double quotes without escapes), comments, "---" on the first
/// line, and CRLF; gives up (GiveUp) on anything else: anchors, aliases, tags, block
/// scalars, multi-line scalars, tabs, control characters, "?" keys, empty list items,
/// empty flow values, keys that are not scalars, directives, a second document. Where
/// YAML could read a line two ways, or where yaml-cpp would find an error, it gives up.
class QuickReader
{
public:
    struct GiveUp
    {
    };

    QuickReader(std::string_view text, YamlTreeBuilder &builder)
        : m_text(text)
        , m_out(builder)
    {
    }

    void read()
    {
        if (!m_text.empty() && static_cast<unsigned char>(m_text.front()) >= 0x80)
            throw GiveUp{}; // a byte order mark, or another encoding
        if (m_text.find('\0') != std::string_view::npos)
            throw GiveUp{}; // yaml-cpp takes zero bytes as a sign of UTF-16 or UTF-32
        for (size_t at = m_text.find('\r'); at != std::string_view::npos; at = m_text.find('\r', at + 1)) {
            if (at + 1 >= m_text.size() || m_text[at + 1] != '\n')
                throw GiveUp{}; // only CRLF
        }
        skipToContent(true);
        if (m_p < m_text.size() && isMarker("---")) {
            m_p += 3;
            skipSpaces();
            if (!atLineEnd())
                throw GiveUp{}; // content beside "---"
            nextLine();
        }
        if (m_p >= m_text.size())
            throw GiveUp{}; // an empty document: rare, left to yaml-cpp
        const size_t rootIndent = m_indent;
        blockNode(m_indent);
        if (m_p < m_text.size() || rootIndent != 0)
            throw GiveUp{};
    }

private:
    // --- lines

    int column() const { return int(m_p - m_lineStart); }
    char at(size_t i) const { return i < m_text.size() ? m_text[i] : '\n'; }
    char current() const { return at(m_p); }
    bool isBreak(size_t i) const { return i >= m_text.size() || m_text[i] == '\n' || m_text[i] == '\r'; }
    bool atLineEnd() const { return isBreak(m_p) || m_text[m_p] == '#'; }
    /// A space, a line break or the end: what ends an indicator.
    bool blankAt(size_t i) const { return isBreak(i) || m_text[i] == ' '; }
    bool isMarker(const char *marker) const
    {
        return m_p == m_lineStart && m_text.compare(m_p, 3, marker) == 0 && blankAt(m_p + 3);
    }
    void skipSpaces()
    {
        while (m_p < m_text.size() && m_text[m_p] == ' ')
            ++m_p;
    }

    /// From anywhere on a line: past its comment and break, to the next line with content
    /// (skipping blank lines and comment lines), at its first character; m_indent is its
    /// indentation. At the end, m_p is the text's size.
    void nextLine()
    {
        if (pastLineBreak())
            skipToContent(false);
    }
    /// At a line's start: skips lines without content. A "---" before the first content
    /// stays (read() takes it); any other document marker, or a directive, gives up.
    void skipToContent(bool first)
    {
        for (;;) {
            skipSpaces();
            if (m_p < m_text.size() && m_text[m_p] == '\t')
                throw GiveUp{};
            if (m_p >= m_text.size())
                return;
            if (!atLineEnd()) {
                m_indent = size_t(column());
                if (m_p == m_lineStart && (m_text[m_p] == '%' || isMarker("...") || (!first && isMarker("---"))))
                    throw GiveUp{};
                return;
            }
            if (!pastLineBreak())
                return;
        }
    }
    /// To the start of the next line; false (at the text's end) when there is none.
    bool pastLineBreak()
    {
        const size_t end = m_text.find('\n', m_p);
        if (end == std::string_view::npos) {
            m_p = m_text.size();
            return false;
        }
        m_p = end + 1;
        ++m_line;
        m_lineStart = m_p;
        return true;
    }
    /// After a value on a line: only spaces and a comment may follow it.
    void endOfValue()
    {
        const size_t before = m_p;
        skipSpaces();
        if (!atLineEnd() || (current() == '#' && m_p == before))
            throw GiveUp{};
        nextLine();
    }
    /// A missing value in the mapping at column \a indent, marked where yaml-cpp marks it:
    /// where the next token starts. At the end of the text that is the end of the mapping,
    /// where the last line's spaces or comment leave it if the mapping stands to the right of
    /// that, else at the start of the last line.
    void nullHere(size_t indent)
    {
        if (m_p < m_text.size()) {
            m_out.null(m_line + 1, column());
            return;
        }
        const int lastColumn = int(m_text.size() - m_lineStart);
        m_out.null(m_line + 1, int(indent) > lastColumn ? lastColumn : 0);
    }

    // --- block collections

    /// "- " or "-" at a line's end: a list item.
    bool atItem() const { return current() == '-' && blankAt(m_p + 1); }

    /// A mapping or a list that starts here, at column \a indent of a line of its own.
    void blockNode(size_t indent)
    {
        if (atItem())
            blockList(indent);
        else
            blockMap(indent);
    }

    void blockList(size_t indent)
    {
        m_out.open(YamlTree::Kind::Sequence, m_line + 1, column());
        for (;;) {
            ++m_p; // the '-'
            skipSpaces();
            if (atLineEnd()) {
                nextLine();
                if (m_p >= m_text.size() || m_indent <= indent)
                    throw GiveUp{}; // an empty item
                blockNode(m_indent);
            } else if (atItem()) {
                throw GiveUp{}; // "- - x"
            } else if (startsKey()) {
                blockMap(size_t(column())); // "- key: value", the mapping at the key's column
            } else {
                inlineValue();
            }
            if (m_p >= m_text.size() || m_indent < indent)
                break;
            if (m_indent > indent)
                throw GiveUp{};
            if (!atItem())
                break; // the key after a list at its key's column: the mapping's to read
        }
        m_out.close();
    }

    void blockMap(size_t indent)
    {
        m_out.open(YamlTree::Kind::Map, m_line + 1, column());
        for (;;) {
            key();
            skipSpaces();
            if (atLineEnd()) {
                nextLine();
                if (m_p < m_text.size() && m_indent > indent)
                    blockNode(m_indent);
                else if (m_p < m_text.size() && m_indent == indent && atItem())
                    blockList(indent);
                else
                    nullHere(indent);
            } else {
                inlineValue();
            }
            if (m_p >= m_text.size() || m_indent < indent)
                break;
            if (m_indent > indent || atItem())
                throw GiveUp{};
        }
        m_out.close();
    }

    /// A mapping's key and its ':'. yaml-cpp refuses a key of over 1024 characters: past
    /// 1000, this gives up.
    void key()
    {
        const int line = m_line + 1;
        const int keyColumn = column();
        const size_t start = m_p;
        if (current() == '\'' || current() == '"') {
            const std::string value = quoted();
            if (current() != ':' || !blankAt(m_p + 1) || m_p - start > 1000)
                throw GiveUp{};
            m_out.scalar(line, keyColumn, value);
        } else {
            if (!plainStart(false))
                throw GiveUp{};
            size_t end = m_p;
            for (; isBreak(end) || m_text[end] != ':' || !blankAt(end + 1); ++end) {
                if (isBreak(end) || (m_text[end] == '#' && m_text[end - 1] == ' ') || !plainCharacter(m_text[end]))
                    throw GiveUp{}; // not a key after all
            }
            m_p = end;
            size_t last = end;
            while (m_text[last - 1] == ' ')
                --last;
            const std::string_view value = m_text.substr(start, last - start);
            if (value.size() > 1000 || isNullWord(value))
                throw GiveUp{};
            m_out.scalar(line, keyColumn, value);
        }
        ++m_p; // the ':'
    }

    /// Whether the item text here is "key: ...", a mapping in a list item.
    bool startsKey() const
    {
        size_t i = m_p;
        if (m_text[i] == '\'' || m_text[i] == '"') {
            const char quote = m_text[i];
            for (++i; !isBreak(i); ++i) {
                if (m_text[i] == quote) {
                    if (quote == '\'' && at(i + 1) == '\'')
                        ++i;
                    else
                        return at(i + 1) == ':' && blankAt(i + 2);
                }
            }
            return false;
        }
        if (m_text[i] == '[' || m_text[i] == '{')
            return false;
        for (; !isBreak(i); ++i) {
            if (m_text[i] == '#' && m_text[i - 1] == ' ')
                return false;
            if (m_text[i] == ':' && blankAt(i + 1))
                return true;
        }
        return false;
    }

    // --- values on one line

    /// The value after "key: " or "- ", up to the line's end; then on to the next line.
    /// Its caller gives up where that line is indented under the value (it would go on).
    void inlineValue()
    {
        value(false, 0);
        endOfValue();
    }

    /// A flow collection, a quoted scalar or a plain one.
    void value(bool inFlow, int depth)
    {
        const char c = current();
        if (c == '[' || c == '{')
            flow(depth);
        else if (c == '\'' || c == '"')
            quotedNode();
        else
            plain(inFlow);
    }

    /// A flow list or mapping that ends on this line.
    void flow(int depth)
    {
        if (depth > 64)
            throw GiveUp{};
        const bool map = current() == '{';
        const char close = map ? '}' : ']';
        m_out.open(map ? YamlTree::Kind::Map : YamlTree::Kind::Sequence, m_line + 1, column());
        ++m_p;
        skipSpaces();
        if (current() == close) {
            ++m_p;
            m_out.close();
            return;
        }
        for (;;) {
            if (map) {
                if (current() == '\'' || current() == '"')
                    quotedNode();
                else
                    plain(true);
                if (current() != ':' || at(m_p + 1) != ' ')
                    throw GiveUp{};
                m_p += 2;
                skipSpaces();
            }
            value(true, depth + 1);
            skipSpaces();
            if (current() == close) {
                ++m_p;
                break;
            }
            if (current() != ',')
                throw GiveUp{};
            ++m_p;
            skipSpaces();
            if (current() == close || current() == ',')
                throw GiveUp{}; // a trailing or empty entry
        }
        m_out.close();
    }

    /// A plain scalar: in a block up to the line's end or a comment; in a flow collection up
    /// to ',', ']', '}' or ':', on this line, and without '#', '?', '[' or '{'.
    void plain(bool inFlow)
    {
        const int line = m_line + 1;
        const int start = column();
        const size_t first = m_p;
        if (!plainStart(inFlow))
            throw GiveUp{};
        size_t end = m_p;
        for (; !isBreak(end); ++end) {
            const char c = m_text[end];
            if (inFlow && (c == ',' || c == ']' || c == '}' || c == ':'))
                break;
            if (!inFlow && c == '#' && m_text[end - 1] == ' ')
                break;
            if (!plainCharacter(c) || (inFlow && std::strchr("#?[{", c)) || (!inFlow && c == ':' && blankAt(end + 1)))
                throw GiveUp{}; // a character to avoid, or a mapping where none may start
        }
        if (inFlow && isBreak(end))
            throw GiveUp{}; // the collection goes on on another line
        while (m_text[end - 1] == ' ')
            --end;
        m_p = end; // before the spaces, which a comment needs before it
        const std::string_view value = m_text.substr(first, end - first);
        if (isNullWord(value))
            m_out.null(line, start);
        else
            m_out.scalar(line, start, value);
    }

    void quotedNode()
    {
        const int line = m_line + 1;
        const int start = column();
        m_out.scalar(line, start, quoted());
    }

    /// A quoted scalar that ends on this line: '' in single quotes is one quote; double
    /// quotes without escapes.
    std::string quoted()
    {
        const char quote = current();
        std::string value;
        for (size_t i = m_p + 1;; ++i) {
            if (isBreak(i))
                throw GiveUp{};
            const char c = m_text[i];
            if (c == '\\' && quote == '"')
                throw GiveUp{};
            if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
                throw GiveUp{};
            if (c == quote) {
                if (quote == '\'' && at(i + 1) == '\'') {
                    value += '\'';
                    ++i;
                    continue;
                }
                m_p = i + 1;
                return value;
            }
            value += c;
        }
    }

    /// Whether a plain scalar may start here (at m_p): not with an indicator, but for '-'
    /// before a character that is not a space (a negative number).
    bool plainStart(bool inFlow) const
    {
        const char c = current();
        if (isBreak(m_p) || c == ' ')
            return false;
        if (std::strchr("?:,[]{}#&*!|>'\"%@`", c))
            return false;
        if (c == '-')
            return !blankAt(m_p + 1) && !(inFlow && std::strchr(",[]{}", at(m_p + 1)));
        return plainCharacter(c);
    }
    /// Characters a plain scalar may hold here: no tab or other control character.
    static bool plainCharacter(char c)
    {
        const auto u = static_cast<unsigned char>(c);
        return u >= 0x20 && u != 0x7f;
    }
    static bool isNullWord(std::string_view value)
    {
        return value == "~" || value == "null" || value == "Null" || value == "NULL";
    }

    std::string_view m_text;
    YamlTreeBuilder &m_out;
    size_t m_p = 0;
    size_t m_lineStart = 0;
    int m_line = 0; ///< 0-based
    size_t m_indent = 0;
};

// ---------------------------------------------------------------------------------------
// yaml-cpp

int lineOf(const YAML::Mark &mark)
{
    return mark.line >= 0 ? mark.line + 1 : 0;
}

/// yaml-cpp's events into the tree; an alias is the node its anchor names.
class EventReader final : public YAML::EventHandler
{
public:
    explicit EventReader(YamlTreeBuilder &builder)
        : m_out(builder)
    {
    }

    void OnDocumentStart(const YAML::Mark &) override {}
    void OnDocumentEnd() override {}
    void OnNull(const YAML::Mark &mark, YAML::anchor_t anchor) override
    {
        name(anchor, m_out.null(lineOf(mark), mark.column));
    }
    void OnAlias(const YAML::Mark &mark, YAML::anchor_t anchor) override
    {
        // yaml-cpp refuses an alias to an anchor it has not seen.
        m_out.again(lineOf(mark), anchor < m_anchors.size() ? m_anchors[anchor] : 0);
    }
    void OnScalar(const YAML::Mark &mark, const std::string &, YAML::anchor_t anchor, const std::string &value) override
    {
        name(anchor, m_out.scalar(lineOf(mark), mark.column, value));
    }
    void OnSequenceStart(const YAML::Mark &mark, const std::string &, YAML::anchor_t anchor, YAML::EmitterStyle::value) override
    {
        name(anchor, m_out.open(YamlTree::Kind::Sequence, lineOf(mark), mark.column));
    }
    void OnSequenceEnd() override { m_out.close(); }
    void OnMapStart(const YAML::Mark &mark, const std::string &, YAML::anchor_t anchor, YAML::EmitterStyle::value) override
    {
        name(anchor, m_out.open(YamlTree::Kind::Map, lineOf(mark), mark.column));
    }
    void OnMapEnd() override { m_out.close(); }

private:
    void name(YAML::anchor_t anchor, std::uint32_t index)
    {
        if (anchor == YAML::NullAnchor)
            return;
        if (m_anchors.size() <= anchor)
            m_anchors.resize(anchor + 1, 0);
        m_anchors[anchor] = index;
    }

    YamlTreeBuilder &m_out;
    std::vector<std::uint32_t> m_anchors;
};

} // namespace

std::optional<YamlTree> YamlTree::read(std::string_view text, Limits limits, Error *error, Reader reader)
{
    auto fail = [error](int line, const QString &message) -> std::optional<YamlTree> {
        if (error)
            *error = Error{line, message};
        return std::nullopt;
    };
    if (reader != Reader::YamlCpp) {
        YamlTreeBuilder builder(limits);
        try {
            QuickReader(text, builder).read();
            return builder.take(true);
        } catch (const QuickReader::GiveUp &) {
        } catch (const YamlTreeBuilder::LimitPassed &) {
            // yaml-cpp says where and why, as for any file
        }
        if (reader == Reader::Quick)
            return fail(0, QString());
    }
    YamlTreeBuilder builder(limits);
    try {
        std::stringstream stream{std::string(text)};
        YAML::Parser parser(stream);
        EventReader events(builder);
        parser.HandleNextDocument(events);
    } catch (const YamlTreeBuilder::LimitPassed &passed) {
        if (passed.depth)
            return fail(passed.line, QStringLiteral("nested deeper than %1 levels; not a project file").arg(limits.maxDepth));
        return fail(passed.line, QStringLiteral("more than %1 YAML nodes; not a project file").arg(limits.maxNodes));
    } catch (const YAML::Exception &e) {
        return fail(lineOf(e.mark), QString::fromStdString(e.msg));
    }
    return builder.take(false);
}
