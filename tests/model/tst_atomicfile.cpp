// Tests of writing files atomically: one file, and many through a writer that reuses the
// storage of the files it replaces, without any reader of an old file seeing it change.
#include "atomicfile.h"
#include "configfiles.h"

#include <QDirIterator>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <cstdio>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace {

QByteArray contentOf(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray("(unreadable)");
}

struct stat statOf(const QString &path)
{
    struct stat s = {};
    if (::lstat(QFile::encodeName(path).constData(), &s) != 0)
        s.st_ino = 0;
    return s;
}

int modeOf(const QString &path)
{
    return int(statOf(path).st_mode & 07777);
}

/// Every entry below \a dir, hidden ones too, relative and sorted.
QStringList entries(const QString &dir)
{
    QStringList names;
    QDirIterator it(dir, QDir::AllEntries | QDir::Hidden | QDir::System | QDir::NoDotAndDotDot,
                    QDirIterator::Subdirectories);
    while (it.hasNext())
        names.append(QDir(dir).relativeFilePath(it.next()));
    names.sort();
    return names;
}

/// A file made as an older run would have made it: \a content with mode \a mode.
void plant(const QString &path, const QByteArray &content, int mode = 0600)
{
    QString error;
    QVERIFY2(AtomicFile::write(path, content, mode, &error), qPrintable(error));
}

/// Writes each of \a files (path, content) in turn through one writer, then drops it.
void writeThroughOneWriter(const QList<std::pair<QString, QByteArray>> &files)
{
    AtomicFile::Writer writer(0600);
    for (const auto &[path, content] : files) {
        QString error;
        QVERIFY2(writer.write(path, content, &error), qPrintable(error));
    }
}

/// Whether the file system of \a dir swaps two names atomically (tmpfs and ext4 do).
bool canSwap(const QString &dir)
{
#ifdef RENAME_EXCHANGE
    const QByteArray a = QFile::encodeName(dir + QLatin1String("/swap-a"));
    const QByteArray b = QFile::encodeName(dir + QLatin1String("/swap-b"));
    QFile(QFile::decodeName(a)).open(QIODevice::WriteOnly);
    QFile(QFile::decodeName(b)).open(QIODevice::WriteOnly);
    const bool swapped = ::renameat2(AT_FDCWD, a.constData(), AT_FDCWD, b.constData(), RENAME_EXCHANGE) == 0;
    ::unlink(a.constData());
    ::unlink(b.constData());
    return swapped;
#else
    Q_UNUSED(dir);
    return false;
#endif
}

} // namespace

class tst_AtomicFile : public QObject
{
    Q_OBJECT

private slots:
    void writesWithExactMode();
    void failureSaysWhereAndWhy();
    void writerReplacesEveryFile();
    void writerReusesWhatItReplaces();
    void readerOfAnOldFileKeepsIt();
    void linkedOldFileIsKept();
    void oldFileOfAnotherModeIsNotReused();
    void folderIsNeverReplaced();
    void symlinkIsReplacedNotFollowed();
    void configFilesThroughOneWriter();
    void nextFileOnAnotherFileSystem();
};

void tst_AtomicFile::writesWithExactMode()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("wg0.conf"));
    const mode_t umask = ::umask(0077);
    plant(path, "secret\n", 0640);
    ::umask(umask);
    QCOMPARE(contentOf(path), QByteArray("secret\n"));
    QCOMPARE(modeOf(path), 0640); // set exactly, whatever the umask
    plant(path, "new\n", 0600);
    QCOMPARE(contentOf(path), QByteArray("new\n"));
    QCOMPARE(modeOf(path), 0600);
    QCOMPARE(entries(dir.path()), QStringList{QStringLiteral("wg0.conf")});
}

void tst_AtomicFile::failureSaysWhereAndWhy()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("missing/wg0.conf"));
    QString error;
    QVERIFY(!AtomicFile::write(path, "x", 0600, &error));
    QCOMPARE(error, path + QStringLiteral(": cannot create a temporary file: No such file or directory"));
    AtomicFile::Writer writer(0600);
    QVERIFY(!writer.write(path, "x", &error));
    QCOMPARE(error, path + QStringLiteral(": cannot create a temporary file: No such file or directory"));
}

void tst_AtomicFile::writerReplacesEveryFile()
{
    // Old files longer and shorter than the new ones, in two folders, and one new file.
    QTemporaryDir dir;
    QDir(dir.path()).mkpath(QStringLiteral("f0"));
    QDir(dir.path()).mkpath(QStringLiteral("f1"));
    const QStringList names{QStringLiteral("f0/wg0.conf"), QStringLiteral("f0/wg0-gw.conf"),
                            QStringLiteral("f1/wg0.conf"), QStringLiteral("f1/hostname.wg0"),
                            QStringLiteral("f1/new.conf")};
    const QList<QByteArray> old{QByteArray(70000, 'a'), "b\n", QByteArray(5000, 'c'), QByteArray(9000, 'd')};
    for (qsizetype i = 0; i < old.size(); ++i)
        plant(dir.filePath(names[i]), old[i]);
    const QList<QByteArray> now{"short\n", QByteArray(80000, 'B'), QByteArray(4096, 'C'), QByteArray(), "e\n"};
    {
        AtomicFile::Writer writer(0600);
        for (qsizetype i = 0; i < names.size(); ++i) {
            QString error;
            QVERIFY2(writer.write(dir.filePath(names[i]), now[i], &error), qPrintable(error));
        }
        for (qsizetype i = 0; i < names.size(); ++i)
            QCOMPARE(contentOf(dir.filePath(names[i])), now[i]);
    }
    // Nothing left behind once the writer is gone: the last old file is removed.
    QStringList expected = names;
    expected << QStringLiteral("f0") << QStringLiteral("f1");
    expected.sort();
    QCOMPARE(entries(dir.path()), expected);
    for (const QString &name : names) {
        QCOMPARE(modeOf(dir.filePath(name)), 0600);
        QCOMPARE(statOf(dir.filePath(name)).st_nlink, nlink_t(1));
    }
}

void tst_AtomicFile::writerReusesWhatItReplaces()
{
    QTemporaryDir dir;
    if (!canSwap(dir.path()))
        QSKIP("this file system cannot swap two names (RENAME_EXCHANGE): files are renamed into place");
    const QString a = dir.filePath(QStringLiteral("a.conf"));
    const QString b = dir.filePath(QStringLiteral("b.conf"));
    const QString c = dir.filePath(QStringLiteral("c.conf"));
    plant(a, "old a\n");
    plant(b, "old b\n");
    plant(c, "old c\n");
    const ino_t oldA = statOf(a).st_ino;
    const ino_t oldB = statOf(b).st_ino;
    AtomicFile::Writer writer(0600);
    QString error;
    QVERIFY(writer.write(a, "new a\n", &error));
    QVERIFY(writer.write(b, "new b\n", &error));
    QVERIFY(writer.write(c, "new c\n", &error));
    // b's new content went into what a was, c's into what b was.
    QCOMPARE(statOf(b).st_ino, oldA);
    QCOMPARE(statOf(c).st_ino, oldB);
    QCOMPARE(contentOf(a), QByteArray("new a\n"));
    QCOMPARE(contentOf(b), QByteArray("new b\n"));
    QCOMPARE(contentOf(c), QByteArray("new c\n"));
}

void tst_AtomicFile::readerOfAnOldFileKeepsIt()
{
    QTemporaryDir dir;
    const QString a = dir.filePath(QStringLiteral("a.conf"));
    const QString b = dir.filePath(QStringLiteral("b.conf"));
    const QString c = dir.filePath(QStringLiteral("c.conf"));
    plant(a, "old a, still read\n");
    plant(b, "old b\n");
    plant(c, "old c\n");
    QFile reading(a); // opened before the new a comes, read after
    QVERIFY(reading.open(QIODevice::ReadOnly));
    writeThroughOneWriter({{a, "new a\n"}, {b, QByteArray(20000, 'b')}, {c, "new c\n"}});
    QCOMPARE(reading.readAll(), QByteArray("old a, still read\n"));
    QCOMPARE(contentOf(b), QByteArray(20000, 'b'));
    QCOMPARE(contentOf(c), QByteArray("new c\n"));
    QCOMPARE(entries(dir.path()), (QStringList{QStringLiteral("a.conf"), QStringLiteral("b.conf"), QStringLiteral("c.conf")}));
}

void tst_AtomicFile::linkedOldFileIsKept()
{
    QTemporaryDir dir;
    const QString a = dir.filePath(QStringLiteral("a.conf"));
    const QString b = dir.filePath(QStringLiteral("b.conf"));
    const QString kept = dir.filePath(QStringLiteral("kept-a.conf"));
    plant(a, "old a\n");
    plant(b, "old b\n");
    QCOMPARE(::link(QFile::encodeName(a).constData(), QFile::encodeName(kept).constData()), 0); // a hard link
    QCOMPARE(statOf(kept).st_nlink, nlink_t(2));
    writeThroughOneWriter({{a, "new a\n"}, {b, "new b\n"}});
    QCOMPARE(contentOf(kept), QByteArray("old a\n")); // another name of the old a: not ours to overwrite
    QCOMPARE(contentOf(a), QByteArray("new a\n"));
    QCOMPARE(contentOf(b), QByteArray("new b\n"));
}

void tst_AtomicFile::oldFileOfAnotherModeIsNotReused()
{
    QTemporaryDir dir;
    const QString a = dir.filePath(QStringLiteral("a.conf"));
    const QString b = dir.filePath(QStringLiteral("b.conf"));
    plant(a, "old a, readable by all\n", 0644);
    plant(b, "old b\n");
    writeThroughOneWriter({{a, "new a\n"}, {b, "new b, a secret\n"}});
    QCOMPARE(modeOf(a), 0600);
    QCOMPARE(modeOf(b), 0600); // not the old a's 0644
    QCOMPARE(contentOf(b), QByteArray("new b, a secret\n"));
}

void tst_AtomicFile::folderIsNeverReplaced()
{
    QTemporaryDir dir;
    const QString a = dir.filePath(QStringLiteral("a.conf"));
    const QString folder = dir.filePath(QStringLiteral("wg0.conf"));
    plant(a, "old a\n");
    QVERIFY(QDir(dir.path()).mkpath(QStringLiteral("wg0.conf")));
    plant(folder + QLatin1String("/inside"), "kept\n");
    QString error;
    QVERIFY(!AtomicFile::write(folder, "x", 0600, &error));
    QVERIFY2(error.startsWith(folder + QStringLiteral(": cannot rename into place: ")), qPrintable(error));
    {
        AtomicFile::Writer writer(0600);
        QVERIFY(writer.write(a, "new a\n", &error)); // the writer holds the old a now
        QVERIFY(!writer.write(folder, "x", &error));
        QCOMPARE(error, folder + QStringLiteral(": cannot rename into place: Is a directory"));
        QVERIFY(writer.write(a, "newer a\n", &error));
    }
    QVERIFY(QFileInfo(folder).isDir());
    QCOMPARE(contentOf(folder + QLatin1String("/inside")), QByteArray("kept\n"));
    QCOMPARE(contentOf(a), QByteArray("newer a\n"));
    QCOMPARE(entries(dir.path()), (QStringList{QStringLiteral("a.conf"), QStringLiteral("wg0.conf"), QStringLiteral("wg0.conf/inside")}));
}

void tst_AtomicFile::symlinkIsReplacedNotFollowed()
{
    QTemporaryDir dir;
    const QString outside = dir.filePath(QStringLiteral("outside"));
    const QString a = dir.filePath(QStringLiteral("a.conf"));
    const QString b = dir.filePath(QStringLiteral("b.conf"));
    plant(outside, "not ours\n");
    plant(b, "old b\n");
    QVERIFY(QFile::link(outside, a));
    writeThroughOneWriter({{a, "new a\n"}, {b, "new b\n"}});
    QVERIFY(!QFileInfo(a).isSymLink());
    QCOMPARE(contentOf(a), QByteArray("new a\n"));
    QCOMPARE(contentOf(b), QByteArray("new b\n"));
    QCOMPARE(contentOf(outside), QByteArray("not ours\n"));
    QCOMPARE(entries(dir.path()), (QStringList{QStringLiteral("a.conf"), QStringLiteral("b.conf"), QStringLiteral("outside")}));
}

void tst_AtomicFile::configFilesThroughOneWriter()
{
    // Two hosts' files written twice through one writer, as a generate thread writes them.
    QTemporaryDir dir;
    const QList<ConfigFiles::File> first{{QStringLiteral("f0/wg0.conf"), "f0 one\n"}, {QStringLiteral("f1/wg0.conf"), "f1 one\n"}};
    const QList<ConfigFiles::File> second{{QStringLiteral("f0/wg0.conf"), "f0 two\n"}, {QStringLiteral("f1/wg0.conf"), "f1 two\n"}};
    QString error;
    qint64 bytes = 0;
    {
        AtomicFile::Writer writer(ConfigFiles::FileMode);
        QVERIFY(ConfigFiles::write(dir.path(), first, writer, &error, &bytes));
        QVERIFY(ConfigFiles::write(dir.path(), second, writer, &error, &bytes));
    }
    QCOMPARE(bytes, 28);
    QCOMPARE(contentOf(dir.filePath(QStringLiteral("f0/wg0.conf"))), QByteArray("f0 two\n"));
    QCOMPARE(contentOf(dir.filePath(QStringLiteral("f1/wg0.conf"))), QByteArray("f1 two\n"));
    QCOMPARE(entries(dir.path()), (QStringList{QStringLiteral("f0"), QStringLiteral("f0/wg0.conf"), QStringLiteral("f1"),
                                               QStringLiteral("f1/wg0.conf")}));
}

void tst_AtomicFile::nextFileOnAnotherFileSystem()
{
    // The writer holds an old file of one file system when the next file goes to another,
    // as when a host's folder is a mount of its own.
    QTemporaryDir here;
    QTemporaryDir there(QStringLiteral("/dev/shm/tst_atomicfile-XXXXXX"));
    if (!there.isValid() || statOf(here.path()).st_dev == statOf(there.path()).st_dev)
        QSKIP("needs two file systems: the temporary folder's and a tmpfs at /dev/shm");
    const QString a = here.filePath(QStringLiteral("a.conf"));
    const QString b = there.filePath(QStringLiteral("b.conf"));
    plant(a, "old a\n");
    plant(b, "old b\n");
    writeThroughOneWriter({{a, "new a\n"}, {b, "new b\n"}, {a, "newer a\n"}});
    QCOMPARE(contentOf(a), QByteArray("newer a\n"));
    QCOMPARE(contentOf(b), QByteArray("new b\n"));
    QCOMPARE(entries(here.path()), QStringList{QStringLiteral("a.conf")});
    QCOMPARE(entries(there.path()), QStringList{QStringLiteral("b.conf")});
}

QTEST_APPLESS_MAIN(tst_AtomicFile)
#include "tst_atomicfile.moc"
