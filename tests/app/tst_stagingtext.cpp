// Tests of the text that carries a deploy's candidate files to a host in the input of the
// command that validates them: run by this machine's shells, every file must arrive byte
// for byte, and nothing in a file may act as shell.
#include "sshhostagent.h"
#include "testsupport.h"

#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>


namespace {

const QString Token = QStringLiteral("5eed");

struct Ran
{
    int exitCode = -1;
    QByteArray err;
};

Ran runStaging(const QString &shell, const QByteArray &text, const QString &stage)
{
    QProcess process;
    process.start(shell, {QStringLiteral("-s"), QStringLiteral("--"), stage});
    process.write(text);
    process.closeWriteChannel();
    if (!process.waitForFinished(10000))
        return {};
    return {process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1, process.readAllStandardError()};
}

} // namespace

class tst_StagingText : public QObject
{
    Q_OBJECT

private slots:
    void arrivesByteForByte_data();
    void arrivesByteForByte();
    void refusesAStageThatExists();
    void removesAStageItCannotWrite();
    void refusesNulBytes();
};

void tst_StagingText::arrivesByteForByte_data()
{
    QTest::addColumn<QString>("shell");
    int shells = 0;
    for (const QString &name : {QStringLiteral("sh"), QStringLiteral("dash"), QStringLiteral("bash")}) {
        const QString path = QStandardPaths::findExecutable(name);
        if (path.isEmpty())
            continue;
        QTest::newRow(qPrintable(name)) << path;
        ++shells;
    }
    QVERIFY2(shells > 0, "no POSIX shell on PATH");
}

void tst_StagingText::arrivesByteForByte()
{
    QFETCH(QString, shell);
    const QByteArray end = "MESHWRIGHT_FILE_" + Token.toLatin1();
    const QList<DeployTarget::File> files = {
        {QStringLiteral("/etc/wireguard/wg0.conf"), "[Interface]\nPrivateKey = abc=\nAddress = 10.0.0.1/32\n\n[Peer]\nPublicKey = x\n"},
        {QStringLiteral("/etc/wireguard/wg1.conf"), "no line break at the end"},
        {QStringLiteral("/etc/wireguard/wg2.conf"), "two lines\nthe second without its break"},
        {QStringLiteral("/etc/wireguard/empty.conf"), ""},
        {QStringLiteral("/etc/wireguard/newline.conf"), "\n"},
        // The end line itself, and what it grows into, inside a file.
        {QStringLiteral("/etc/wireguard/ends.conf"), end + "\n" + end + "_\nafter\n" + end},
        // What a shell would act on, if a file ever reached it as script.
        {QStringLiteral("/etc/wireguard/shell.conf"),
         "PostUp = echo $HOME `id` $(id) \"$1\" 'it''s' \\\nline with a continuation \\\n$(touch /tmp/meshwright-staging-ran)\r\n"
         "tail with 'quotes' and $HOME \\"},
        {QStringLiteral("/etc/wireguard/bytes.conf"), QByteArray("latin-1 \xe9, a lone \xff byte, UTF-8 \xc3\xa9\n\x01\x7f\t end\xfe")},
        {QStringLiteral("/etc/it's here.conf"), "a name with a quote and a space\n"},
    };
    QString why;
    const std::optional<QByteArray> text = SshHostAgent::stagingText(files, Token, &why);
    QVERIFY2(text, qPrintable(why));

    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString stage = dir.filePath(QStringLiteral("stage"));
    QFile::remove(QStringLiteral("/tmp/meshwright-staging-ran"));
    const Ran ran = runStaging(shell, *text, stage);
    QVERIFY2(ran.exitCode == 0, ran.err.constData());
    QVERIFY2(ran.err.isEmpty(), ran.err.constData());
    QVERIFY(!QFile::exists(QStringLiteral("/tmp/meshwright-staging-ran")));
    QCOMPARE(TestSupport::fileMode(stage), 0700);
    for (const DeployTarget::File &file : files) {
        const QString path = stage + QLatin1Char('/') + QFileInfo(file.path).fileName();
        QVERIFY2(QFile::exists(path), qPrintable(path));
        QCOMPARE(TestSupport::readFile(path), file.content);
        QCOMPARE(TestSupport::fileMode(path), 0600);
    }
    QCOMPARE(QDir(stage).entryList(QDir::Files | QDir::Hidden).size(), files.size());
}

void tst_StagingText::refusesAStageThatExists()
{
    // Somebody else's folder (or link) at the stage's name: nothing is written into it.
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString stage = dir.filePath(QStringLiteral("stage"));
    QVERIFY(QDir().mkdir(stage));
    QString why;
    const std::optional<QByteArray> text = SshHostAgent::stagingText({{QStringLiteral("/etc/wireguard/wg0.conf"), "x\n"}}, Token, &why);
    QVERIFY(text);
    const Ran ran = runStaging(QStringLiteral("sh"), *text, stage);
    QVERIFY(ran.exitCode > 0);
    QVERIFY2(ran.err.contains("cannot create the stage folder " + QFile::encodeName(stage)), ran.err.constData());
    QVERIFY(!QFile::exists(stage + QLatin1String("/wg0.conf")));
}

void tst_StagingText::removesAStageItCannotWrite()
{
    // A file that cannot be written (here: a name that is the folder itself) leaves
    // nothing behind: what was written before it holds keys.
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString stage = dir.filePath(QStringLiteral("stage"));
    QString why;
    const std::optional<QByteArray> text = SshHostAgent::stagingText(
        {{QStringLiteral("/etc/wireguard/wg0.conf"), "[Interface]\nPrivateKey = secret=\n"}, {QStringLiteral("/etc/wireguard/"), "x\n"}}, Token, &why);
    QVERIFY(text);
    const Ran ran = runStaging(QStringLiteral("sh"), *text, stage);
    QVERIFY(ran.exitCode > 0);
    QVERIFY2(ran.err.contains("cannot write " + QFile::encodeName(stage) + '/'), ran.err.constData());
    QVERIFY(!QFile::exists(stage));
}

void tst_StagingText::refusesNulBytes()
{
    QString why;
    const QList<DeployTarget::File> files = {{QStringLiteral("/etc/wireguard/wg0.conf"), "fine\n"},
                                             {QStringLiteral("/etc/hosts"), QByteArray("127.0.0.1 a\n\0b\n", 15)}};
    QVERIFY(!SshHostAgent::stagingText(files, Token, &why));
    QVERIFY2(why.contains(QLatin1String("/etc/hosts")) && why.contains(QLatin1String("NUL")), qPrintable(why));
}

QTEST_GUILESS_MAIN(tst_StagingText)
#include "tst_stagingtext.moc"
