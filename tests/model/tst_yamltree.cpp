// Tests of YamlTree: the quick reader gives the tree yaml-cpp gives, node for node, line for
// line, on every project the repository has and on many thousand mutations of them; it
// gives up on what it does not read; and the project file reads the same either way.
#include "projectfile.h"
#include "projectreader.h"
#include "syntheticmesh.h"
#include "testsupport.h"
#include "yamltree.h"
#include "yamltreedump.h"

#include <QDirIterator>
#include <QRandomGenerator>
#include <QTest>

#include <limits>

namespace {

const YamlTree::Limits Limits{ProjectFile::MaxDepth, ProjectFile::MaxNodes};

std::optional<YamlTree> readWith(const QByteArray &text, YamlTree::Reader reader, YamlTree::Error *error = nullptr)
{
    YamlTree::Error ignored;
    return YamlTree::read(std::string_view(text.constData(), size_t(text.size())), Limits, error ? error : &ignored, reader);
}

/// Project files of every kind the repository has: the bundled examples, the tests' data,
/// the fuzz corpus, the end-to-end testbeds, and the benchmark's meshes of both shapes.
QList<std::pair<QString, QByteArray>> repositoryProjects()
{
    QList<std::pair<QString, QByteArray>> files;
    for (const QString &folder : {QStringLiteral("resources/examples"), QStringLiteral("tests/data"), QStringLiteral("tests/fuzz/corpus/projectfile"),
                                 QStringLiteral("tests/e2e")}) {
        QDirIterator it(TestSupport::sourcePath(folder), {QStringLiteral("*.yaml")}, QDir::Files);
        while (it.hasNext()) {
            const QString path = it.next();
            files.append({folder + QLatin1Char('/') + it.fileName(), TestSupport::readFile(path)});
        }
    }
    for (const int hosts : {10, 100}) {
        files.append({QStringLiteral("bench homelab %1").arg(hosts), SyntheticMesh::makeProject(hosts, SyntheticMesh::Shape::HomeLab).yaml});
        files.append({QStringLiteral("bench gateways %1").arg(hosts), SyntheticMesh::makeProject(hosts, SyntheticMesh::Shape::ManyGateways).yaml});
    }
    return files;
}

} // namespace

class tst_YamlTree : public QObject
{
    Q_OBJECT

private slots:
    void readsWhatYamlCppReads_data();
    void readsWhatYamlCppReads();
    void givesUp_data();
    void givesUp();
    void repositoryProjectsReadQuickly_data();
    void repositoryProjectsReadQuickly();
    void mutationsReadAlikeOrGiveUp();
    void aliasIsTheNodeItNames();
    void limitsAreYamlCppsToReport();
    void lookups();
};

void tst_YamlTree::readsWhatYamlCppReads_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::newRow("block map") << QByteArray("a: 1\nb: two words\n");
    QTest::newRow("nested maps") << QByteArray("a:\n  b:\n    c: x\n  d: y\ne: z\n");
    QTest::newRow("document start") << QByteArray("---\na: 1\n");
    QTest::newRow("document start with a comment") << QByteArray("--- # the mesh\na: 1\n");
    QTest::newRow("comments and blank lines") << QByteArray("# head\n\na: 1 # one\n  # deeper comment\n\n# before b\nb:\n  # inside\n  c: 2\n");
    QTest::newRow("indented list") << QByteArray("a:\n  - x\n  - 'y'\n  - \"z\"\nb: 1\n");
    QTest::newRow("list at its key's column") << QByteArray("a:\n- x\n- y\nb: 1\n");
    QTest::newRow("maps in a list") << QByteArray("links:\n  - hosts: [a, b]\n    keepalive: 25\n  - hosts: [b, c]\n    allowed_ips:\n      b: ['10.0.0.0/24']\n");
    QTest::newRow("list in a map in a list") << QByteArray("- a:\n  - x\n  b: 1\n- c: 2\n");
    QTest::newRow("flow map and list") << QByteArray("p: {x: -260, y: 0}\nq: [a, 'b c', \"d\", [e, f], {g: h}]\nr: []\ns: {}\n");
    QTest::newRow("empty values") << QByteArray("a:\nb: # nothing\nc:\n  d:\ne:\n");
    QTest::newRow("empty value at the end") << QByteArray("a: 1\nb:");
    QTest::newRow("empty value at the end, spaces") << QByteArray("a: 1\nb:   ");
    QTest::newRow("empty value before comments at the end") << QByteArray("a:\n  b:\n# the end\n\n");
    // At the very end yaml-cpp marks a missing value where the last line's spaces or
    // comment end, when its mapping stands further right.
    QTest::newRow("empty value before spaces at the end") << QByteArray("a:\n  b:\n ");
    QTest::newRow("empty value before a comment at the end") << QByteArray("- a: 1\n  b:\n#");
    QTest::newRow("empty value before a long comment at the end") << QByteArray("- a: 1\n  b:\n   # the end");
    QTest::newRow("null words") << QByteArray("a: ~\nb: null\nc: Null\nd: NULL\ne: 'null'\nf: nulls\ng: [~, null]\n");
    QTest::newRow("quotes") << QByteArray("a: 'it''s'\nb: \"say 'hi'\"\nc: ''\nd: \"\"\n'e f': 1\n\"g\": 2\n");
    QTest::newRow("plain with indicators inside")
        << QByteArray("a: x:y\nb: http://h/p?q=1#f\nc: a - b\nd: -5\ne: fd42:beef::1\nf: iptables -A x -j ACCEPT; echo [ok] {ok}, done\n");
    QTest::newRow("trailing spaces") << QByteArray("a: x   \nb:    'y'   \nc:   [1, 2]   # c\n");
    QTest::newRow("space before the colon") << QByteArray("a : 1\n");
    QTest::newRow("duplicate keys") << QByteArray("a: 1\na: 2\n");
    QTest::newRow("CRLF") << QByteArray("a: 1\r\nb:\r\n  - x\r\n  - y\r\nc: {d: e}\r\n");
    QTest::newRow("UTF-8") << QByteArray("# Büro\nname: Wohnzimmer-Gerät\n'ключ': значение\n");
    QTest::newRow("spaces in flow") << QByteArray("a: [ x ,y , z ]\nb: {  k: v ,  l: w }\n");
    QTest::newRow("keys with odd characters") << QByteArray("a.b-c_d: 1\nx y: 2\n\"q: r\": 3\n");
    QTest::newRow("root list") << QByteArray("- a\n- b\n");
    QTest::newRow("list item on the next line") << QByteArray("a:\n  -\n    b: 1\n  - c\n");
}

void tst_YamlTree::readsWhatYamlCppReads()
{
    QFETCH(QByteArray, text);
    const auto quick = readWith(text, YamlTree::Reader::Quick);
    QVERIFY2(quick, "the quick reader gave up");
    QVERIFY(quick->readQuickly());
    YamlTree::Error error;
    const auto full = readWith(text, YamlTree::Reader::YamlCpp, &error);
    QVERIFY2(full, qPrintable(error.message));
    QVERIFY(!full->readQuickly());
    QCOMPARE(YamlTreeDump::dump(quick), YamlTreeDump::dump(full));
}

void tst_YamlTree::givesUp_data()
{
    // Each is YAML the quick reader leaves to yaml-cpp: what it would read another way,
    // or what yaml-cpp refuses.
    QTest::addColumn<QByteArray>("text");
    QTest::newRow("anchor and alias") << QByteArray("a: &x 1\nb: *x\n");
    QTest::newRow("tag") << QByteArray("a: !!str 1\n");
    QTest::newRow("block scalar") << QByteArray("a: |\n  text\n");
    QTest::newRow("folded scalar") << QByteArray("a: >\n  text\n");
    QTest::newRow("plain scalar on two lines") << QByteArray("a: one\n  two\n");
    QTest::newRow("quoted scalar on two lines") << QByteArray("a: 'one\n  two'\n");
    QTest::newRow("escape in double quotes") << QByteArray("a: \"x\\ty\"\n");
    QTest::newRow("flow list on two lines") << QByteArray("a: [x,\n  y]\n");
    QTest::newRow("tab") << QByteArray("a:\tx\n");
    QTest::newRow("tab as indentation") << QByteArray("a:\n\tb: 1\n");
    QTest::newRow("complex key") << QByteArray("? a\n: b\n");
    QTest::newRow("empty list item") << QByteArray("a:\n  -\n  - x\n");
    QTest::newRow("second document") << QByteArray("a: 1\n---\nb: 2\n");
    QTest::newRow("document end") << QByteArray("a: 1\n...\n");
    QTest::newRow("document end first") << QByteArray("... w,:\n");
    QTest::newRow("directive") << QByteArray("%YAML 1.2\n---\na: 1\n");
    QTest::newRow("byte order mark") << QByteArray("\xEF\xBB\xBF" "a: 1\n");
    QTest::newRow("lone CR") << QByteArray("a: 1\rb: 2\n");
    QTest::newRow("mapping inside a value") << QByteArray("a: b: c\n");
    QTest::newRow("list beside a key") << QByteArray("a: - x\n");
    QTest::newRow("nested compact lists") << QByteArray("- - x\n");
    QTest::newRow("trailing comma") << QByteArray("a: [x, y,]\n");
    QTest::newRow("flow entry without a value") << QByteArray("a: {x}\n");
    QTest::newRow("colon in a flow scalar") << QByteArray("a: [fd00::1]\n");
    QTest::newRow("wrongly indented key") << QByteArray("a:\n    b: 1\n  c: 2\n");
    QTest::newRow("key under a value") << QByteArray("a: 1\n  b: 2\n");
    QTest::newRow("list item after a value") << QByteArray("a: 1\n- x\n");
    QTest::newRow("comment without a space") << QByteArray("a: 'x'# c\n");
    QTest::newRow("not a key") << QByteArray("a: 1\njust words\n");
    QTest::newRow("indented root") << QByteArray("  a: 1\n");
    QTest::newRow("long quoted key") << "'" + QByteArray(1100, 'k') + "': 1\n";
    QTest::newRow("long plain key") << QByteArray(1100, 'k') + ": 1\n";
    QTest::newRow("empty document") << QByteArray("# only a comment\n");
    QTest::newRow("control character") << QByteArray("a: x\x01y\n");
    QTest::newRow("zero byte in a comment") << QByteArray("a: 1 # \0\n", 9);
}

void tst_YamlTree::givesUp()
{
    QFETCH(QByteArray, text);
    YamlTree::Error error;
    QVERIFY(!readWith(text, YamlTree::Reader::Quick, &error));
    QVERIFY(error.message.isEmpty());
    // Read as a whole, it is yaml-cpp's tree or yaml-cpp's error.
    YamlTree::Error anyError;
    YamlTree::Error fullError;
    const auto any = readWith(text, YamlTree::Reader::Any, &anyError);
    const auto full = readWith(text, YamlTree::Reader::YamlCpp, &fullError);
    QCOMPARE(bool(any), bool(full));
    QCOMPARE(YamlTreeDump::dump(any), YamlTreeDump::dump(full));
    QCOMPARE(anyError.line, fullError.line);
    QCOMPARE(anyError.message, fullError.message);
    if (any)
        QVERIFY(!any->readQuickly());
}

void tst_YamlTree::repositoryProjectsReadQuickly_data()
{
    QTest::addColumn<QByteArray>("text");
    for (const auto &[name, text] : repositoryProjects())
        QTest::newRow(qPrintable(name)) << text;
    // wireguardmeshgenerator's own file for the f3s mesh, where the checkout has it beside.
    const QString f3s = TestSupport::sourcePath(QStringLiteral("../shared/fixtures/f3s-mesh.yaml"));
    if (QFile::exists(f3s))
        QTest::newRow("f3s-mesh.yaml") << TestSupport::readFile(f3s);
}

void tst_YamlTree::repositoryProjectsReadQuickly()
{
    // Every project the repository has is read quickly, to the tree and the very project
    // (findings, comments and their lines too) that yaml-cpp's reading gives.
    QFETCH(QByteArray, text);
    const auto quick = readWith(text, YamlTree::Reader::Quick);
    QVERIFY2(quick, "the quick reader gave up on it");
    QCOMPARE(YamlTreeDump::dump(quick), YamlTreeDump::dump(readWith(text, YamlTree::Reader::YamlCpp)));

    struct Read
    {
        std::optional<Project> project;
        ProjectFile::LoadError error;
        QList<Diagnostic> findings;
        QList<int> commentLines;
        QList<int> lineEndComments;
    };
    auto read = [&text](YamlTree::Reader reader) {
        Read r;
        r.project = ProjectReader::parse(text, QStringLiteral("p.yaml"), &r.error, &r.findings, &r.commentLines, &r.lineEndComments, reader);
        return r;
    };
    const Read a = read(YamlTree::Reader::Quick);
    const Read b = read(YamlTree::Reader::YamlCpp);
    QVERIFY2(a.project, qPrintable(a.error.toString()));
    QVERIFY2(b.project, qPrintable(b.error.toString()));
    QCOMPARE(*a.project, *b.project);
    QCOMPARE(a.findings, b.findings);
    QCOMPARE(a.commentLines, b.commentLines);
    QCOMPARE(a.lineEndComments, b.lineEndComments);
}

void tst_YamlTree::mutationsReadAlikeOrGiveUp()
{
    // Pieces of the repository's projects, mutated where YAML is most particular: a
    // character that means something inserted, one deleted, a line indented or dedented,
    // duplicated or dropped. Wherever the quick reader takes the result, yaml-cpp must
    // take it too and give the same tree; everything else it must leave to yaml-cpp.
    QList<QByteArrayList> sources;
    for (const auto &[name, text] : repositoryProjects())
        sources.append(text.split('\n'));
    const QByteArray alphabet = QByteArray(" :-#'\"[]{},\n\t~&*!|>?%@`.") + QByteArray("ab01\xC3\xA9\r");
    QRandomGenerator random(20261204); // fixed: a failure is found again
    int taken = 0;
    int tried = 0;
    for (; tried < 300000; ++tried) {
        const QByteArrayList &lines = sources[random.bounded(int(sources.size()))];
        const int first = random.bounded(int(lines.size()));
        const int count = 1 + random.bounded(24);
        QByteArrayList piece = lines.mid(first, count);
        qsizetype indent = std::numeric_limits<qsizetype>::max(); // out to the left edge, as a document starts
        for (const QByteArray &line : std::as_const(piece)) {
            const qsizetype spaces = std::find_if(line.cbegin(), line.cend(), [](char c) { return c != ' '; }) - line.cbegin();
            if (spaces < line.size() && line[spaces] != '#')
                indent = std::min(indent, spaces);
        }
        for (QByteArray &line : piece)
            line.remove(0, std::min(indent, line.size()));
        const int mutations = 1 + random.bounded(3);
        for (int m = 0; m < mutations && !piece.isEmpty(); ++m) {
            QByteArray &line = piece[random.bounded(int(piece.size()))];
            const int at = random.bounded(int(line.size()) + 1);
            switch (random.bounded(6)) {
            case 0:
                line.insert(at, alphabet[random.bounded(int(alphabet.size()))]);
                break;
            case 1:
                line.remove(at, 1);
                break;
            case 2:
                line.prepend(QByteArray(1 + random.bounded(3), ' '));
                break;
            case 3:
                line.remove(0, std::min<qsizetype>(line.size() - line.trimmed().size(), 1 + random.bounded(3)));
                break;
            case 4:
                piece.insert(random.bounded(int(piece.size()) + 1), line);
                break;
            default:
                piece.removeAt(random.bounded(int(piece.size())));
                break;
            }
        }
        const QByteArray text = piece.join('\n') + (random.bounded(2) ? "\n" : "");
        const auto quick = readWith(text, YamlTree::Reader::Quick);
        if (!quick)
            continue;
        ++taken;
        YamlTree::Error error;
        const auto full = readWith(text, YamlTree::Reader::YamlCpp, &error);
        if (!full)
            QFAIL(qPrintable(QStringLiteral("yaml-cpp refuses what the quick reader took (line %1: %2):\n%3")
                                 .arg(error.line)
                                 .arg(error.message, QString::fromUtf8(text))));
        const QByteArray quickDump = YamlTreeDump::dump(quick);
        const QByteArray fullDump = YamlTreeDump::dump(full);
        if (quickDump != fullDump)
            QFAIL(qPrintable(QStringLiteral("the trees differ for:\n%1\nquick:\n%2\nyaml-cpp:\n%3")
                                 .arg(QString::fromUtf8(text), QString::fromUtf8(quickDump), QString::fromUtf8(fullDump))));
    }
    // Not a test of nothing: a good part of the mutations is still plain YAML.
    QVERIFY2(taken > tried / 10, qPrintable(QStringLiteral("only %1 of %2 were read quickly").arg(taken).arg(tried)));
}

void tst_YamlTree::aliasIsTheNodeItNames()
{
    const QByteArray text = "a: &s {user: op}\nb: *s\nc: *s\n";
    YamlTree::Error error;
    const auto tree = readWith(text, YamlTree::Reader::Any, &error);
    QVERIFY2(tree, qPrintable(error.message));
    QVERIFY(!tree->readQuickly());
    const YamlTree::Node root = tree->root();
    QVERIFY(root["b"] == root["a"]);
    QVERIFY(root["c"] == root["a"]);
    QCOMPARE(root["c"]["user"].text(), QStringLiteral("op"));
    QCOMPARE(root["c"].line(), 1); // the node's own line, where the anchor is
}

void tst_YamlTree::limitsAreYamlCppsToReport()
{
    // Past a limit the quick reader gives up, and the message comes from the one place
    // that says it for every file, with the line yaml-cpp's events give.
    QByteArray deep = "a:\n";
    for (int i = 1; i <= 40; ++i)
        deep += QByteArray(i * 2, ' ') + "k:\n";
    YamlTree::Error error;
    QVERIFY(!readWith(deep, YamlTree::Reader::Any, &error));
    QCOMPARE(error.message, QStringLiteral("nested deeper than 32 levels; not a project file"));
    QCOMPARE(error.line, 33);

    QByteArray many;
    for (int i = 0; i < 3; ++i)
        many += "h" + QByteArray::number(i) + ": 1\n";
    const YamlTree::Limits few{32, 6};
    QVERIFY(!YamlTree::read(std::string_view(many.constData(), size_t(many.size())), few, &error));
    QCOMPARE(error.message, QStringLiteral("more than 6 YAML nodes; not a project file"));
    QCOMPARE(error.line, 3);
    QVERIFY(YamlTree::read(std::string_view(many.constData(), size_t(many.size())), {32, 7}, &error));
}

void tst_YamlTree::lookups()
{
    const QByteArray text = "hosts:\n  a:\n    os: Linux\n    os: FreeBSD\n  b: ~\nlist: [x, y]\n";
    const auto tree = readWith(text, YamlTree::Reader::Quick);
    QVERIFY(tree);
    const YamlTree::Node hosts = tree->root()["hosts"];
    QVERIFY(hosts.isMap());
    QCOMPARE(hosts.size(), 2u);
    QCOMPARE(hosts["a"]["os"].text(), QStringLiteral("Linux")); // the first of two
    QCOMPARE(hosts.entry(0).value.size(), 2u);
    QVERIFY(hosts["b"].isDefined());
    QVERIFY(hosts["b"].isNull());
    QVERIFY(!hosts["c"].isDefined());
    QVERIFY(!hosts["c"]["d"].isDefined());
    QCOMPARE(hosts["c"].line(), 0);
    QVERIFY(!tree->root()["list"]["x"].isDefined()); // a list has no keys
    QCOMPARE(tree->root()["list"].item(1).text(), QStringLiteral("y"));
    QCOMPARE(tree->root()["list"].line(), 6);
    QCOMPARE(tree->root()["list"].column(), 6);
    QCOMPARE(hosts.entry(1).key.column(), 2);
}

QTEST_APPLESS_MAIN(tst_YamlTree)
#include "tst_yamltree.moc"
