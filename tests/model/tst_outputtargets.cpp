// Tests of the output targets as a whole: their names, which hosts each serves, and that
// generate and export write the same bytes through them.
#include "hostconfigs.h"
#include "keystore.h"
#include "outputtarget.h"
#include "planner.h"
#include "projectfile.h"
#include "qrpayload.h"
#include "testsupport.h"

#include <QDir>
#include <QDirIterator>
#include <QSet>
#include <QTemporaryDir>
#include <QTest>

class tst_OutputTargets : public QObject
{
    Q_OBJECT

private slots:
    void namesAreUniqueAndFound();
    void generateWritesTheGeneratedTargets_data();
    void generateWritesTheGeneratedTargets();
    void exportWritesServedHostsOnly_data();
    void exportWritesServedHostsOnly();
    void qrPayloadsAreWhatTheCodesHold();
};

namespace {

void addProjects()
{
    QTest::addColumn<QString>("path");
    for (const char *path : {"resources/examples/homelab-mesh.yaml", "resources/examples/homelab-k8s-router.yaml",
                             "resources/examples/two-homes.yaml", "tests/data/rules-mesh.yaml", "tests/data/import-mesh.yaml"})
        QTest::newRow(path) << QString::fromLatin1(path);
}

std::optional<Project> load(const QString &relative)
{
    ProjectFile::LoadError error;
    auto project = ProjectFile::load(TestSupport::sourcePath(relative), &error);
    if (!project)
        qWarning("%s", qPrintable(error.toString()));
    return project;
}

/// Every file below \a dir by its path relative to it.
QMap<QString, QByteArray> filesIn(const QString &dir)
{
    QMap<QString, QByteArray> files;
    QDirIterator it(dir, QDir::Files, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QString path = it.next();
        files.insert(QDir(dir).relativeFilePath(path), TestSupport::readFile(path));
    }
    return files;
}

} // namespace

void tst_OutputTargets::namesAreUniqueAndFound()
{
    QSet<QString> seen;
    QVERIFY(OutputTargets::all().size() >= 8);
    for (const OutputTarget *target : OutputTargets::all()) {
        QStringList names = target->aliases();
        names.prepend(target->name());
        QCOMPARE(target->name(), target->name().toLower());
        QVERIFY(!target->summary().isEmpty());
        for (const QString &name : std::as_const(names)) {
            QVERIFY2(!seen.contains(name.toLower()), qPrintable(name));
            seen.insert(name.toLower());
            QCOMPARE(OutputTargets::find(name), target);
            QCOMPARE(OutputTargets::find(name.toUpper()), target);
        }
    }
    QCOMPARE(OutputTargets::find(QStringLiteral("openwrt")), nullptr);
    QCOMPARE(OutputTargets::find(QString()), nullptr);
    QCOMPARE(OutputTargets::names().size(), OutputTargets::all().size());
}

void tst_OutputTargets::generateWritesTheGeneratedTargets_data()
{
    addProjects();
}

void tst_OutputTargets::generateWritesTheGeneratedTargets()
{
    // generate writes exactly the generated targets' files, and `export --format NAME` of
    // each writes those same bytes for the hosts it serves.
    QFETCH(QString, path);
    auto project = load(path);
    QVERIFY(project);
    project->defaults.hostsFile = true; // every generated target has something to write
    KeyStore keys;
    const Planner planner(*project);
    keys.ensure(planner.keyIds(), planner.presharedKeyPairs());
    QTemporaryDir dir;
    QString error;
    QVERIFY2(HostConfigs::writeHosts(*project, planner, keys, dir.path(), {}, nullptr, &error), qPrintable(error));
    const QMap<QString, QByteArray> generated = filesIn(dir.path());
    QVERIFY(!generated.isEmpty());

    QMap<QString, QByteArray> exported;
    QSet<QString> writers;
    for (const OutputTarget *target : OutputTargets::all()) {
        if (!target->generated())
            continue;
        KeyStore same = keys;
        for (const ConfigFiles::File &file : target->exportFiles(*project, same, &error)) {
            QVERIFY2(!exported.contains(file.relativePath), qPrintable(file.relativePath)); // one target writes each file
            exported.insert(file.relativePath, file.content);
            writers.insert(target->name());
        }
        QCOMPARE(same.keyCount(), keys.keyCount()); // nothing new: generate made them all
    }
    QCOMPARE(exported.keys(), generated.keys());
    for (auto it = generated.cbegin(); it != generated.cend(); ++it)
        QVERIFY2(exported.value(it.key()) == it.value(), qPrintable(it.key()));
    QVERIFY(writers.contains(QStringLiteral("wg-quick")));
    QVERIFY(writers.contains(QStringLiteral("hosts")));

    // The same files, host by host, in the order generate lists them.
    for (qsizetype i = 0; i < project->hosts.size(); ++i) {
        if (project->hosts[i].isExternal())
            continue;
        const QList<PlannedInterface> interfaces = planner.planAll(i, keys);
        for (const ConfigFiles::File &file : OutputTargets::generatedFiles({*project, planner, keys, i, interfaces}))
            QVERIFY2(generated.value(file.relativePath) == file.content, qPrintable(file.relativePath));
    }
}

void tst_OutputTargets::exportWritesServedHostsOnly_data()
{
    addProjects();
}

void tst_OutputTargets::exportWritesServedHostsOnly()
{
    // Every target writes files for the hosts it serves and no other, or, serving none,
    // writes nothing and says why.
    QFETCH(QString, path);
    const auto project = load(path);
    QVERIFY(project);
    for (const OutputTarget *target : OutputTargets::all()) {
        KeyStore keys;
        QString error;
        const QList<ConfigFiles::File> files = target->exportFiles(*project, keys, &error);
        QStringList served;
        for (qsizetype i = 0; i < project->hosts.size(); ++i) {
            if (target->serves(*project, i))
                served.append(project->hosts[i].name);
        }
        if (files.isEmpty()) {
            QVERIFY2(!error.isEmpty(), qPrintable(target->name()));
            continue;
        }
        QVERIFY2(!served.isEmpty(), qPrintable(target->name()));
        for (const ConfigFiles::File &file : files) {
            const QString owner = file.relativePath.contains(QLatin1Char('/')) ? file.relativePath.section(QLatin1Char('/'), 0, 0)
                                                                               : file.relativePath.section(QLatin1Char('.'), 0, 0);
            // A file of its own host, or one file that several share (a manifest).
            QVERIFY2(served.contains(owner) || files.size() == 1, qPrintable(target->name() + QLatin1String(": ") + file.relativePath));
        }
    }
}

void tst_OutputTargets::qrPayloadsAreWhatTheCodesHold()
{
    const auto project = load(QStringLiteral("resources/examples/homelab-mesh.yaml"));
    QVERIFY(project);
    KeyStore keys;
    QString error;
    const QList<ConfigFiles::File> files = OutputTargets::find(QStringLiteral("qr"))->exportFiles(*project, keys, &error);
    QVERIFY2(!files.isEmpty(), qPrintable(error));
    const Planner planner(*project);
    int roaming = 0;
    for (qsizetype i = 0; i < project->hosts.size(); ++i) {
        if (project->hosts[i].role() != Host::Role::Roaming)
            continue;
        ++roaming;
        for (const auto &[name, config] : HostConfigs::profiles(planner.planAll(i, keys))) {
            const QString path = project->hosts[i].name + QLatin1Char('/') + name + QLatin1String(".qr.txt");
            const auto file = std::find_if(files.cbegin(), files.cend(), [&](const ConfigFiles::File &f) { return f.relativePath == path; });
            QVERIFY2(file != files.cend(), qPrintable(path));
            QCOMPARE(file->content, QrPayload::build(config));
        }
    }
    QVERIFY(roaming >= 2);
    for (const ConfigFiles::File &file : files)
        QVERIFY(file.content.contains("PrivateKey = "));
}

QTEST_GUILESS_MAIN(tst_OutputTargets)
#include "tst_outputtargets.moc"
