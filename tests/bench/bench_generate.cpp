// Benchmark of the `meshwright generate` pipeline, run in-process on synthetic meshes.
//
// For each size it makes a project in wireguardmeshgenerator's format (two internet
// gateways, a few roaming clients, the rest on the LAN, full mesh), then times two runs
// of what `meshwright generate PROJECT.yaml --out DIR` does: a first run that creates
// every key, and a steady-state run that loads the key store and writes again, each
// repeated and reported by its median. With
// --check it also verifies the output and exits non-zero when something is wrong; it
// never judges timings.

#include "diagnostic.h"
#include "configfiles.h"
#include "hostconfigs.h"
#include "keyseal.h"
#include "keystore.h"
#include "planner.h"
#include "project.h"
#include "projectfile.h"
#include "syntheticmesh.h"
#include "validator.h"
#include "wgquick.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QCryptographicHash>
#include <QDir>
#include <QDirIterator>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QTemporaryDir>
#include <QTextStream>
#include <QThread>

#include <algorithm>
#include <optional>

#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace {

using SyntheticMesh::MaxHosts;
using SyntheticMesh::MinHosts;
using SyntheticMesh::SyntheticHost;
using SyntheticMesh::SyntheticProject;
using SyntheticMesh::makeProject;
using SyntheticMesh::meshIpv4;
using SyntheticMesh::meshIpv6;

/// How many times a run of \a hosts hosts is repeated (its row is the median by total):
/// a run of a few milliseconds on a two-CPU machine says little alone.
int repeatsFor(int hosts)
{
    return hosts <= 100 ? 9 : hosts <= 1000 ? 5 : 1;
}

// ---------------------------------------------------------------------------------------
// Memory

/// A "VmXXX:" line of /proc/self/status in KiB, or -1.
long procStatusKiB(const char *field)
{
    QFile status(QStringLiteral("/proc/self/status"));
    if (!status.open(QIODevice::ReadOnly))
        return -1;
    const QByteArray prefix(field);
    for (const QByteArray &line : status.readAll().split('\n')) {
        if (line.startsWith(prefix)) {
            bool ok = false;
            const long value = line.mid(prefix.size()).trimmed().split(' ').value(0).toLong(&ok);
            return ok ? value : -1;
        }
    }
    return -1;
}

/// Peak resident set size of the whole process so far, in KiB.
long maxRssKiB()
{
    rusage usage{};
    return getrusage(RUSAGE_SELF, &usage) == 0 ? usage.ru_maxrss : -1;
}

/// Resets VmHWM to the current RSS (Linux 4.0+); false when the kernel does not allow it.
bool resetPeakRss()
{
    const int fd = ::open("/proc/self/clear_refs", O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    const bool ok = ::write(fd, "5", 1) == 1;
    ::close(fd);
    return ok;
}

/// Hands freed heap back to the system, so that the next baseline RSS is a fair one.
void trimHeap()
{
#if defined(__GLIBC__)
    malloc_trim(0);
#endif
}

// ---------------------------------------------------------------------------------------
// One run of the pipeline

struct RunResult
{
    QString label;
    bool ok = false;
    QString error;

    // Phases, in nanoseconds.
    qint64 parse = 0;    ///< read and parse the YAML
    qint64 validate = 0; ///< Validator::validate
    qint64 keyLoad = 0;  ///< KeyStore::load (nothing to read on the first run)
    qint64 ensure = 0;   ///< Planner, keyIds, presharedKeyPairs, KeyStore::ensure
    qint64 save = 0;     ///< KeyStore::save (only when keys were made)
    qint64 plan = 0;     ///< Planner::planAll for every host, summed over the threads
    qint64 format = 0;   ///< ConfigFiles::files for every host, summed over the threads
    qint64 write = 0;    ///< ConfigFiles::write for every host, summed over the threads
    qint64 hosts = 0;    ///< the wall time of plan, format and write (HostConfigs::writeHosts)
    int threads = 1;
    qint64 total = 0;
    /// Runs are repeated (repeatsFor()): the median run by total, and the range.
    int repeats = 1;
    qint64 fastest = 0;
    qint64 slowest = 0;

    qsizetype files = 0;
    qint64 bytes = 0;
    qsizetype keysCreated = 0;
    qint64 keyStoreBytes = 0;
    long peakRssKiB = -1;  ///< ru_maxrss after the run (whole process so far)
    long deltaRssKiB = -1; ///< VmHWM during the run minus VmRSS before it, when measurable
};

/// What `meshwright generate` does for every host of \a projectPath, with its key store
/// beside it, writing below \a outDir.
RunResult runGenerate(const QString &projectPath, const QString &outDir, bool canResetPeak, int threads, const QByteArray &passphrase = {})
{
    RunResult r;
    trimHeap();
    const bool peakReset = canResetPeak && resetPeakRss();
    const long rssBefore = procStatusKiB("VmRSS:");

    QElapsedTimer total;
    QElapsedTimer phase;
    total.start();
    phase.start();

    ProjectFile::LoadError loadError;
    QList<Diagnostic> findings;
    const std::optional<Project> project = ProjectFile::load(projectPath, &loadError, &findings);
    r.parse = phase.nsecsElapsed();
    if (!project) {
        r.error = loadError.toString();
        return r;
    }

    phase.restart();
    findings += Validator::validate(*project);
    r.validate = phase.nsecsElapsed();
    if (hasErrors(findings)) {
        QStringList errors;
        for (const Diagnostic &d : std::as_const(findings)) {
            if (d.isError() && errors.size() < 5)
                errors.append(d.toString());
        }
        r.error = QStringLiteral("the project has errors:\n  ") + errors.join(QLatin1String("\n  "));
        return r;
    }

    phase.restart();
    const QString keysPath = KeyStore::pathForProject(projectPath);
    KeyStore keys;
    QString error;
    const auto given = [&passphrase](const QString &, const QString &problem) -> std::optional<QByteArray> {
        if (!problem.isEmpty() || passphrase.isEmpty())
            return std::nullopt;
        return passphrase;
    };
    if (!keys.load(keysPath, &error, given)) {
        r.error = error;
        return r;
    }
    r.keyLoad = phase.nsecsElapsed();

    phase.restart();
    const Planner planner(*project);
    r.keysCreated = keys.ensure(planner.keyIds(), planner.presharedKeyPairs());
    r.ensure = phase.nsecsElapsed();

    phase.restart();
    if (keys.isModified() && !keys.save(keysPath, &error)) {
        r.error = error;
        return r;
    }
    r.save = phase.nsecsElapsed();

    // The hosts as `meshwright generate` writes them: HostConfigs::writeHosts, on
    // every CPU (or --threads), each phase summed over the hosts.
    phase.restart();
    HostConfigs::Summary written;
    if (!HostConfigs::writeHosts(*project, planner, keys, outDir, {}, &written, &error, threads)) {
        r.error = error;
        return r;
    }
    r.hosts = phase.nsecsElapsed();
    r.threads = written.threads;
    r.plan = written.planNs;
    r.format = written.formatNs;
    r.write = written.writeNs;
    r.files = written.files;
    r.bytes = written.bytes;
    r.total = total.nsecsElapsed();

    r.peakRssKiB = maxRssKiB();
    const long hwm = procStatusKiB("VmHWM:");
    if (peakReset && hwm >= 0 && rssBefore >= 0)
        r.deltaRssKiB = hwm - rssBefore;
    r.keyStoreBytes = QFileInfo(keysPath).size();
    r.ok = true;
    return r;
}

// ---------------------------------------------------------------------------------------
// The correctness check (--check), outside the timed runs

/// Checks what a run wrote below \a outDir against \a project; appends what is wrong to
/// \a problems and sets \a digest to a digest of every file (path and content).
void checkOutput(const SyntheticProject &project, const RunResult &run, bool firstRun,
                 const QString &outDir, QByteArray *digest, QStringList *problems)
{
    const QString where = run.label + QLatin1String(": ");
    if (run.files != project.expectedFiles())
        problems->append(where + QStringLiteral("the generator made %1 files, expected %2")
                                     .arg(run.files).arg(project.expectedFiles()));
    const qsizetype expectedKeys = firstRun ? project.hosts.size() + project.expectedPresharedKeys() : 0;
    if (run.keysCreated != expectedKeys)
        problems->append(where + QStringLiteral("%1 keys were made, expected %2")
                                     .arg(run.keysCreated).arg(expectedKeys));

    // Every file on disk, hidden ones too: a leftover temporary file is a failure.
    QStringList onDisk;
    QDirIterator it(outDir, QDir::Files | QDir::Hidden | QDir::System, QDirIterator::Subdirectories);
    while (it.hasNext())
        onDisk.append(QDir(outDir).relativeFilePath(it.next()));
    onDisk.sort();
    if (onDisk.size() != project.expectedFiles())
        problems->append(where + QStringLiteral("%1 files on disk, expected %2")
                                     .arg(onDisk.size()).arg(project.expectedFiles()));

    auto readFile = [&](const QString &relative) -> std::optional<QByteArray> {
        QFile file(QDir(outDir).filePath(relative));
        if (!file.open(QIODevice::ReadOnly)) {
            problems->append(where + relative + QLatin1String(": missing or unreadable"));
            return std::nullopt;
        }
        return file.readAll();
    };
    auto checkConfig = [&](const QString &relative, qsizetype expectedPeers) {
        const auto text = readFile(relative);
        if (!text)
            return;
        QString error;
        const auto config = WgQuick::parse(*text, &error);
        if (!config) {
            problems->append(where + relative + QLatin1String(" does not parse back: ") + error);
            return;
        }
        if (!KeyBase64::isValid(config->privateKey))
            problems->append(where + relative + QLatin1String(": no valid PrivateKey"));
        if (config->peers.size() != expectedPeers)
            problems->append(where + relative + QStringLiteral(": %1 peers, expected %2")
                                                    .arg(config->peers.size()).arg(expectedPeers));
        for (const PeerConfig &peer : config->peers) {
            if (!KeyBase64::isValid(peer.publicKey) || peer.presharedKey.isEmpty()
                || peer.allowedIps.isEmpty()) {
                problems->append(where + relative + QLatin1String(": peer ") + peer.name
                                 + QLatin1String(" lacks a key or AllowedIPs"));
                break;
            }
        }
    };

    for (const SyntheticHost &h : project.hosts) {
        checkConfig(h.name + QLatin1String("/wg0.conf"), project.expectedPeers(h));
        if (h.role == Host::Role::Roaming) {
            checkConfig(h.name + QLatin1String("/wg0-gw-a.conf"), 1);
            checkConfig(h.name + QLatin1String("/wg0-gw-b.conf"), 1);
        }
        if (h.openBsd) {
            const auto text = readFile(h.name + QLatin1String("/hostname.wg0"));
            if (text && !text->contains("wgpeer"))
                problems->append(where + h.name + QLatin1String("/hostname.wg0 has no wgpeer line"));
        }
        if (h.openBsd && h.role == Host::Role::Internet && project.roaming > 0) {
            const auto pf = readFile(h.name + QLatin1String("/pf-meshwright.conf"));
            if (pf && !pf->contains("nat-to (egress)"))
                problems->append(where + h.name + QLatin1String("/pf-meshwright.conf does not masquerade the roaming clients"));
        }
    }

    // Not a security digest: it only tells whether two runs wrote the same bytes.
    QCryptographicHash hash(QCryptographicHash::Md5);
    for (const QString &relative : std::as_const(onDisk)) {
        hash.addData(relative.toUtf8());
        hash.addData(QByteArrayView("\0", 1));
        QFile file(QDir(outDir).filePath(relative));
        if (file.open(QIODevice::ReadOnly))
            hash.addData(&file);
    }
    *digest = hash.result();
}

// ---------------------------------------------------------------------------------------
// Reporting

QString ms(qint64 nanoseconds)
{
    const double value = double(nanoseconds) / 1e6;
    return QString::number(value, 'f', value < 100 ? 2 : 1);
}

QString mib(long kib)
{
    return kib < 0 ? QStringLiteral("n/a") : QString::number(double(kib) / 1024.0, 'f', 1);
}

QString mbytes(qint64 bytes)
{
    const double value = double(bytes) / 1e6;
    return QString::number(value, 'f', value < 1 ? 3 : 2);
}

struct SizeResult
{
    int hosts = 0;
    SyntheticProject project; // without its YAML, once written
    qint64 yamlBytes = 0;
    QList<RunResult> runs;
    /// Wall times of the `meshwright generate` process on the same project, keys existing.
    QList<qint64> processNs;
    QString processError;
};

/// Times \a runs runs of `meshwright generate PROJECT --out DIR` as a user starts it: the
/// whole process, from its start to its exit (the keys exist). Fills \a size.
void runProcess(SizeResult &size, const QString &projectPath, const QString &outDir, int runs)
{
    for (int i = 0; i < runs; ++i) {
        QProcess process;
        process.setProcessChannelMode(QProcess::ForwardedErrorChannel);
        process.setStandardOutputFile(QProcess::nullDevice());
        QElapsedTimer wall;
        wall.start();
        process.start(QStringLiteral(MESHWRIGHT_BINARY), {QStringLiteral("generate"), projectPath, QStringLiteral("--out"), outDir});
        const bool finished = process.waitForFinished(120000);
        const qint64 ns = wall.nsecsElapsed();
        if (!finished || process.exitStatus() != QProcess::NormalExit || process.exitCode() != 0) {
            size.processError = QStringLiteral("meshwright generate failed (exit %1): %2").arg(process.exitCode()).arg(process.errorString());
            return;
        }
        size.processNs.append(ns);
    }
}

qint64 median(QList<qint64> values)
{
    std::sort(values.begin(), values.end());
    return values.isEmpty() ? 0 : values.size() % 2 ? values[values.size() / 2] : (values[values.size() / 2 - 1] + values[values.size() / 2]) / 2;
}

QString pad(const QString &text, int width)
{
    return width < 0 ? text.leftJustified(-width) : text.rightJustified(width);
}

void printTables(QTextStream &out, const QList<SizeResult> &results)
{
    out << "\nPhase times in ms (parse = read+parse YAML; ensure = Planner + keyIds + "
           "presharedKeyPairs + KeyStore::ensure;\nplan/format/write = Planner::planAll, "
           "ConfigFiles::files, ConfigFiles::write summed over hosts and threads; hosts = their\n"
           "wall time in HostConfigs::writeHosts, on the threads shown; total = wall time of the run;\n"
           "each row is the median by total of " << repeatsFor(100) << " runs up to 100 hosts, " << repeatsFor(1000)
        << " up to 1000, then one; a first run starts from no keys and no configs):\n\n";
    const QList<std::pair<QString, int>> timeColumns{
        {QStringLiteral("hosts"), 6}, {QStringLiteral("run"), -7},  {QStringLiteral("parse"), 9},
        {QStringLiteral("validate"), 9}, {QStringLiteral("key load"), 9}, {QStringLiteral("ensure"), 9},
        {QStringLiteral("save"), 9},  {QStringLiteral("plan"), 9},   {QStringLiteral("format"), 9},
        {QStringLiteral("write"), 9}, {QStringLiteral("hosts"), 9}, {QStringLiteral("threads"), 7}, {QStringLiteral("total"), 10}};
    auto print = [&out](const QList<std::pair<QString, int>> &columns, const QStringList &cells) {
        QString line;
        for (qsizetype i = 0; i < columns.size(); ++i) {
            if (i)
                line += QLatin1String("  ");
            line += pad(cells.value(i), columns[i].second);
        }
        while (line.endsWith(QLatin1Char(' ')))
            line.chop(1);
        out << line << '\n';
    };
    auto rule = [&out](const QList<std::pair<QString, int>> &columns) {
        int width = 0;
        for (const auto &column : columns)
            width += qAbs(column.second) + 2;
        out << QString(width - 2, QLatin1Char('-')) << '\n';
    };

    QStringList header;
    for (const auto &column : timeColumns)
        header.append(column.first);
    print(timeColumns, header);
    rule(timeColumns);
    for (const SizeResult &size : results) {
        for (const RunResult &run : size.runs) {
            if (!run.ok)
                continue;
            print(timeColumns, {QString::number(size.hosts), run.label, ms(run.parse), ms(run.validate),
                                ms(run.keyLoad), ms(run.ensure), ms(run.save), ms(run.plan),
                                ms(run.format), ms(run.write), ms(run.hosts), QString::number(run.threads), ms(run.total)});
        }
    }

    out << "\nOutput and memory (peak RSS = getrusage ru_maxrss of the process so far; run peak = "
           "VmHWM during the run minus VmRSS before it):\n\n";
    const QList<std::pair<QString, int>> sizeColumns{
        {QStringLiteral("hosts"), 6},       {QStringLiteral("run"), -7},
        {QStringLiteral("total s"), 8},     {QStringLiteral("files"), 6},
        {QStringLiteral("written MB"), 10}, {QStringLiteral("PSKs"), 8},
        {QStringLiteral("keys made"), 9},   {QStringLiteral("key store MB"), 12},
        {QStringLiteral("YAML kB"), 8},     {QStringLiteral("peak RSS MiB"), 12},
        {QStringLiteral("run peak MiB"), 12}};
    header.clear();
    for (const auto &column : sizeColumns)
        header.append(column.first);
    print(sizeColumns, header);
    rule(sizeColumns);
    for (const SizeResult &size : results) {
        for (const RunResult &run : size.runs) {
            if (!run.ok)
                continue;
            print(sizeColumns,
                  {QString::number(size.hosts), run.label,
                   QString::number(double(run.total) / 1e9, 'f', 3), QString::number(run.files),
                   mbytes(run.bytes), QString::number(size.project.expectedPresharedKeys()),
                   QString::number(run.keysCreated), mbytes(run.keyStoreBytes),
                   QString::number(double(size.yamlBytes) / 1e3, 'f', 1), mib(run.peakRssKiB),
                   mib(run.deltaRssKiB)});
        }
    }
}

/// The targets, reported against and never asserted: 1000 hosts whose keys exist under
/// 1 s (the first run, which makes every key, under 1.5 s), no phase over a quarter of the
/// run, the key store loaded in under 100 ms, peak memory under 400 MiB; 100 hosts under
/// 15 ms.
void printProcesses(QTextStream &out, const QList<SizeResult> &results)
{
    out << "\n`meshwright generate PROJECT --out DIR` as a process, keys existing (wall time from its start to its exit, ms):\n\n";
    out << pad(QStringLiteral("hosts"), 6) << pad(QStringLiteral("runs"), 6) << pad(QStringLiteral("median"), 10) << pad(QStringLiteral("min"), 10)
        << pad(QStringLiteral("max"), 10) << '\n';
    for (const SizeResult &size : results) {
        if (!size.processError.isEmpty()) {
            out << pad(QString::number(size.hosts), 6) << "  " << size.processError << '\n';
            continue;
        }
        if (size.processNs.isEmpty())
            continue;
        const auto [low, high] = std::minmax_element(size.processNs.cbegin(), size.processNs.cend());
        out << pad(QString::number(size.hosts), 6) << pad(QString::number(size.processNs.size()), 6) << pad(ms(median(size.processNs)), 10)
            << pad(ms(*low), 10) << pad(ms(*high), 10) << '\n';
    }
}

void printTargets(QTextStream &out, const QList<SizeResult> &results)
{
    out << "\nTargets (reported, not asserted):\n";
    bool any = false;
    auto report = [&out](const QString &what, const QString &measured, const QString &limit, bool met) {
        out << "  " << pad(what, -50) << pad(measured, 10) << "  (target " << limit << ")  " << (met ? "met" : "MISSED") << '\n';
    };
    for (const SizeResult &size : results) {
        if (size.hosts != 100 && size.hosts != 1000)
            continue;
        for (const RunResult &run : size.runs) {
            if (!run.ok)
                continue;
            any = true;
            const bool first = run.label == QLatin1String("first");
            const qint64 limitNs = size.hosts == 100 ? 15'000'000LL : first ? 1'500'000'000LL : 1'000'000'000LL;
            report(QStringLiteral("%1 hosts, %2 run").arg(size.hosts).arg(run.label), ms(run.total) + QLatin1String(" ms"),
                   QStringLiteral("< %1 ms").arg(limitNs / 1'000'000), run.total < limitNs);
            if (run.repeats > 1)
                out << "    (median of " << run.repeats << " runs; fastest " << ms(run.fastest) << " ms, slowest " << ms(run.slowest) << " ms)\n";
            if (size.hosts != 1000)
                continue;
            // The phases as the table has them; plan, format and write summed over threads.
            const std::pair<const char *, qint64> phases[] = {{"parse", run.parse},   {"validate", run.validate}, {"key load", run.keyLoad},
                                                              {"ensure", run.ensure}, {"save", run.save},         {"plan", run.plan},
                                                              {"format", run.format}, {"write", run.write}};
            const auto largest = *std::max_element(std::begin(phases), std::end(phases),
                                                   [](const auto &a, const auto &b) { return a.second < b.second; });
            // Plan, format and write run on every CPU at once, so their sums are CPU time,
            // not wall time: the share is of all the phases' time (the CPU the run used).
            qint64 phasesNs = 0;
            for (const auto &phase : phases)
                phasesNs += phase.second;
            const double share = phasesNs > 0 ? 100.0 * double(largest.second) / double(phasesNs) : 0;
            report(QStringLiteral("1000 hosts, %1 run, largest phase (%2)").arg(run.label, QLatin1String(largest.first)),
                   QString::number(share, 'f', 0) + QLatin1String(" %"), QStringLiteral("at most 25 % of all phases"), share <= 25.0);
            if (!first)
                report(QStringLiteral("1000 hosts, key store load"), ms(run.keyLoad) + QLatin1String(" ms"), QStringLiteral("< 100 ms"),
                       run.keyLoad < 100'000'000LL);
        }
        if (size.hosts == 100 && !size.processError.isEmpty())
            out << "  100 hosts, meshwright generate: " << size.processError << '\n';
        if (size.hosts == 100 && !size.processNs.isEmpty()) {
            const qint64 wall = median(size.processNs);
            report(QStringLiteral("100 hosts, meshwright generate (process, median)"), ms(wall) + QLatin1String(" ms"),
                   QStringLiteral("< 60 ms"), wall < 60'000'000LL);
        }
        if (size.hosts == 1000 && !size.runs.isEmpty() && size.runs.back().ok) {
            const long peak = size.runs.back().peakRssKiB;
            report(QStringLiteral("1000 hosts, peak RSS"), mib(peak) + QLatin1String(" MiB"), QStringLiteral("< 400 MiB"),
                   peak >= 0 && peak < 400 * 1024);
        }
    }
    if (!any)
        out << "  (none of the sizes run has a target: those are 100 and 1000 hosts)\n";
}

/// The host counts in \a text ("10,100,1000"), ascending and without repeats.
std::optional<QList<int>> parseSizes(const QString &text, QString *error)
{
    QList<int> sizes;
    for (const QString &part : text.split(QLatin1Char(','), Qt::SkipEmptyParts)) {
        bool ok = false;
        const int value = part.trimmed().toInt(&ok);
        if (!ok || value < MinHosts || value > MaxHosts) {
            *error = QStringLiteral("--sizes: '%1' is not a host count from %2 to %3")
                         .arg(part.trimmed()).arg(MinHosts).arg(MaxHosts);
            return std::nullopt;
        }
        if (!sizes.contains(value))
            sizes.append(value);
    }
    if (sizes.isEmpty()) {
        *error = QStringLiteral("--sizes: no size given");
        return std::nullopt;
    }
    // Ascending, so that the process-wide peak RSS after a size belongs to that size.
    std::sort(sizes.begin(), sizes.end());
    return sizes;
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("bench_generate"));
    QTextStream out(stdout);
    QTextStream err(stderr);

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Times `meshwright generate` in-process on synthetic meshes: parse, validate, keys, "
        "save, plan, format, write; a first run that makes every key and a steady-state run "
        "that loads them. Files go to a temporary folder (TMPDIR)."));
    parser.addHelpOption();
    const QCommandLineOption sizesOption(QStringLiteral("sizes"),
                                         QStringLiteral("Host counts, comma-separated (default 10,100,1000)."),
                                         QStringLiteral("N,N,..."), QStringLiteral("10,100,1000"));
    const QCommandLineOption checkOption(
        QStringLiteral("check"),
        QStringLiteral("Verify the output (file count, configs parse back, identical steady-state "
                       "output); exit 1 on a problem. Timings are never judged."));
    const QCommandLineOption printOption(
        QStringLiteral("print-project"),
        QStringLiteral("Print the synthetic project of N hosts as YAML and exit (to try it with "
                       "`meshwright validate` or `generate`)."),
        QStringLiteral("N"));
    const QCommandLineOption encryptedOption(
        QStringLiteral("encrypted"),
        QStringLiteral("Encrypt the key store after the first run (Argon2id at the default cost), so that the steady-state "
                       "run unlocks it; the unlock is also timed alone, to show what the store costs after it."));
    const QCommandLineOption threadsOption(QStringLiteral("threads"),
                                           QStringLiteral("Threads that plan, format and write the hosts (default: one per CPU, as "
                                                          "`meshwright generate`)."),
                                           QStringLiteral("N"), QStringLiteral("0"));
    const QCommandLineOption shapeOption(
        QStringLiteral("shape"),
        QStringLiteral("The hosts' roles: 'homelab' (default: 2 gateways, 2 to 8 roaming clients, the rest on the LAN), "
                       "'gateways' (a tenth gateways, a fifth roaming clients with a profile per gateway) or 'sites' (homelab's, "
                       "the LAN hosts in 10 NATed sites linked through a relay)."),
        QStringLiteral("name"), QStringLiteral("homelab"));
    parser.addOptions({sizesOption, checkOption, printOption, encryptedOption, threadsOption, shapeOption});
    parser.process(app);
    if (!parser.positionalArguments().isEmpty()) {
        err << "bench_generate: unexpected argument '" << parser.positionalArguments().front() << "'\n";
        return 2;
    }
    QString error;
    const QString shapeName = parser.value(shapeOption);
    if (shapeName != QLatin1String("homelab") && shapeName != QLatin1String("gateways") && shapeName != QLatin1String("sites")) {
        err << "bench_generate: --shape is homelab, gateways or sites" << Qt::endl;
        return 2;
    }
    const SyntheticMesh::Shape shape = shapeName == QLatin1String("gateways") ? SyntheticMesh::Shape::ManyGateways
                                     : shapeName == QLatin1String("sites")    ? SyntheticMesh::Shape::Sites
                                                                              : SyntheticMesh::Shape::HomeLab;
    if (parser.isSet(printOption)) {
        const auto size = parseSizes(parser.value(printOption), &error);
        if (!size || size->size() != 1) {
            err << "bench_generate: --print-project needs one host count from " << MinHosts
                << " to " << MaxHosts << Qt::endl;
            return 2;
        }
        QFile standardOutput;
        if (!standardOutput.open(stdout, QIODevice::WriteOnly))
            return 2;
        standardOutput.write(makeProject(size->front(), shape).yaml);
        return 0;
    }
    bool threadsOk = false;
    const int threads = parser.value(threadsOption).toInt(&threadsOk);
    if (!threadsOk || threads < 0 || threads > 64) {
        err << "bench_generate: --threads takes 0 (one per CPU) to 64" << Qt::endl;
        return 2;
    }
    const auto sizes = parseSizes(parser.value(sizesOption), &error);
    if (!sizes) {
        err << "bench_generate: " << error << Qt::endl;
        return 2;
    }
    const bool check = parser.isSet(checkOption);
    const bool encrypted = parser.isSet(encryptedOption);
    const QByteArray passphrase = encrypted ? QByteArray("bench passphrase") : QByteArray();
    QStringList unlocks;

    const bool canResetPeak = resetPeakRss();
#if defined(NDEBUG)
    const char *build = "optimised, NDEBUG";
#else
    const char *build = "debug, assertions on";
#endif
    out << "bench_generate: `meshwright generate` in-process; Qt " << qVersion() << ", " << build
        << "; " << QThread::idealThreadCount() << " CPUs; files below " << QDir::tempPath()
        << "; run peak " << (canResetPeak ? "measured" : "n/a (cannot reset VmHWM)")
        << (check ? "; checking output" : "") << "; shape " << shapeName << Qt::endl;

    QList<SizeResult> results;
    QStringList problems;
    bool failed = false;
    for (const int hosts : *sizes) {
        SizeResult size;
        size.hosts = hosts;
        size.project = makeProject(hosts, shape);
        size.yamlBytes = size.project.yaml.size();

        QTemporaryDir dir;
        if (!dir.isValid()) {
            err << "bench_generate: cannot create a temporary folder: " << dir.errorString() << Qt::endl;
            return 2;
        }
        const QString projectPath = dir.filePath(QStringLiteral("mesh.yaml"));
        const QString outDir = dir.filePath(QStringLiteral("configs"));
        {
            QFile file(projectPath);
            if (!file.open(QIODevice::WriteOnly) || file.write(size.project.yaml) != size.project.yaml.size()) {
                err << "bench_generate: cannot write " << projectPath << Qt::endl;
                return 2;
            }
        }
        size.project.yaml = QByteArray(); // not part of what is measured

        QByteArray firstDigest;
        for (const bool firstRun : {true, false}) {
            err << "  " << hosts << " hosts, " << (firstRun ? "first" : "steady") << " run..." << Qt::endl;
            if (!firstRun && encrypted) {
                // Sealed once, untimed; then the unlock alone, as the steady run's key load does it.
                KeyStore store;
                QString why;
                const QString keysPath = KeyStore::pathForProject(projectPath);
                if (!store.load(keysPath, &why) || !store.encrypt(passphrase, KeySeal::Parameters::standard(), &why)
                    || !store.save(keysPath, &why)) {
                    err << "bench_generate: cannot encrypt the key store: " << why << Qt::endl;
                    return 2;
                }
                QFile sealed(keysPath);
                const auto header = sealed.open(QIODevice::ReadOnly) ? KeySeal::readHeader(sealed.readAll(), &why) : std::nullopt;
                QElapsedTimer unlock;
                unlock.start();
                if (!header || !KeySeal::SealingKey::derive(passphrase, header->salt, header->parameters, &why)) {
                    err << "bench_generate: cannot unlock the key store: " << why << Qt::endl;
                    return 2;
                }
                unlocks.append(QStringLiteral("%1 hosts: unlock (Argon2id, %2 passes over %3 MiB) %4 ms")
                                   .arg(hosts)
                                   .arg(header->parameters.opsLimit)
                                   .arg(header->parameters.memLimit >> 20)
                                   .arg(ms(unlock.nsecsElapsed())));
            }
            // Each first run starts from nothing: no key store, no configs.
            QList<RunResult> repeated;
            RunResult run;
            do {
                if (firstRun && !repeated.isEmpty()) {
                    QFile::remove(KeyStore::pathForProject(projectPath));
                    QDir(outDir).removeRecursively();
                }
                run = runGenerate(projectPath, outDir, canResetPeak, threads, firstRun ? QByteArray() : passphrase);
                repeated.append(run);
            } while (run.ok && repeated.size() < repeatsFor(hosts));
            if (run.ok) {
                std::sort(repeated.begin(), repeated.end(), [](const RunResult &a, const RunResult &b) { return a.total < b.total; });
                run = repeated[repeated.size() / 2];
                run.repeats = int(repeated.size());
                run.fastest = repeated.front().total;
                run.slowest = repeated.back().total;
            }
            run.label = firstRun ? QStringLiteral("first") : QStringLiteral("steady");
            if (!run.ok) {
                err << "bench_generate: " << hosts << " hosts, " << run.label << " run failed: "
                    << run.error << Qt::endl;
                failed = true;
                size.runs.append(run);
                break;
            }
            if (check) {
                QByteArray digest;
                const qsizetype before = problems.size();
                checkOutput(size.project, run, firstRun,
                            outDir, &digest, &problems);
                for (qsizetype i = before; i < problems.size(); ++i)
                    problems[i].prepend(QString::number(hosts) + QLatin1String(" hosts, "));
                if (firstRun)
                    firstDigest = digest;
                else if (digest != firstDigest)
                    problems.append(QStringLiteral("%1 hosts: the steady-state run wrote other bytes "
                                                   "than the first run").arg(hosts));
            }
            size.runs.append(run);
        }
        if (!failed && hosts <= 1000) {
            err << "  " << hosts << " hosts, meshwright generate as a process..." << Qt::endl;
            runProcess(size, projectPath, outDir, hosts <= 100 ? 9 : 3);
        }
        results.append(size);
        if (failed)
            break;
    }

    printTables(out, results);
    printProcesses(out, results);
    if (shape != SyntheticMesh::Shape::ManyGateways) // sites and relays stay within the homelab's targets
        printTargets(out, results);
    else
        out << "\n(The targets are set for the homelab shape; this shape is measured, not judged.)\n";
    if (encrypted) {
        out << "\nEncrypted key store (the steady runs' key load includes its unlock):\n";
        for (const QString &line : std::as_const(unlocks))
            out << "  " << line << '\n';
    }
    if (check) {
        if (problems.isEmpty()) {
            out << "\nCheck: ok (file counts, keys made, every wg0.conf and profile parses back with "
                   "its peers, steady-state output identical)\n";
        } else {
            out << "\nCheck: FAILED\n";
            for (const QString &problem : std::as_const(problems))
                out << "  " << problem << '\n';
        }
    }
    out.flush();
    if (failed)
        return 2;
    return check && !problems.isEmpty() ? 1 : 0;
}
