// Benchmark of the canvas: building the scene, one full repaint, and start-up to a painted window.
//
// 1. Scene build: the time from MeshDocument::reset() to a TopologyScene (attached to the
//    document beforehand) holding every host and link item, for a 100-host full mesh and
//    500/1000-host "rings plus gateways" (LAN hosts linked to their two ring neighbours
//    only, two internet gateways linked to everyone). MeshDocument::links(), the validator
//    (MeshDocument::diagnostics()) and reset() itself are also timed alone, on a document
//    without a scene.
// 2. Repaint: one full render of a 1600x1000 TopologyView at fit zoom into a QImage, and
//    one synchronous viewport repaint (the window's own path, into the backing store).
// 3. Start-up: the meshwright binary opening an 11-host home-lab project with
//    MESHWRIGHT_STARTUP_PROBE=1, wall time of the whole process and the "painted after N ms"
//    it prints.
// 4. Edit to update: in the main window (1600x1000, fit zoom), an edit in the properties
//    pane (a LAN host's mesh address, typed and Return; a link's keepalive) until the
//    findings pane, the config pane (for the host) and the canvas are updated and painted.
//
// It prints tables and reports against the targets, never asserting on timings. With
// --smoke it runs small sizes only and exits non-zero when a result is wrong (item counts,
// blank canvas, a start-up without "painted after").

#include "configpane.h"
#include "diagnostic.h"
#include "ipaddress.h"
#include "mainwindow.h"
#include "meshdocument.h"
#include "project.h"
#include "projectfile.h"
#include "propertiespane.h"
#include "topologyscene.h"
#include "topologyview.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QDeadlineTimer>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QImage>
#include <QKeyEvent>
#include <QLineEdit>
#include <QPainter>
#include <QProcess>
#include <QRegularExpression>
#include <QSpinBox>
#include <QTemporaryDir>
#include <QTextStream>
#include <QThread>

#include <algorithm>
#include <functional>
#include <memory>
#include <optional>

#ifndef MESHWRIGHT_BINARY
#error "MESHWRIGHT_BINARY must name the meshwright program (see tests/bench/CMakeLists.txt)"
#endif

namespace {

QTextStream out(stdout);

// ---------------------------------------------------------------------------------------
// Targets (reported, never asserted)

constexpr double BuildTargetMs = 100;   ///< scene for 500 hosts
constexpr double RepaintTargetMs = 16;  ///< one full repaint at 500 hosts
constexpr double EditTargetMs = 50;     ///< one edit to every pane updated, at 500 hosts
constexpr double StartupTargetMs = 1000; ///< launch to painted window
constexpr int TargetHosts = 500;

// ---------------------------------------------------------------------------------------
// Small helpers

double ms(qint64 ns)
{
    return double(ns) / 1e6;
}

double median(QList<double> values)
{
    if (values.isEmpty())
        return 0;
    std::sort(values.begin(), values.end());
    const qsizetype n = values.size();
    return n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

double minimum(const QList<double> &values)
{
    return values.isEmpty() ? 0 : *std::min_element(values.cbegin(), values.cend());
}

QString fmt(double value, int decimals = 1)
{
    return QString::number(value, 'f', decimals);
}

QString verdict(double value, double target)
{
    return value < target ? QStringLiteral("met") : QStringLiteral("MISSED");
}

/// Prints \a rows as a table, columns padded to their widest cell (first column left-aligned).
void printTable(const QStringList &header, const QList<QStringList> &rows)
{
    QList<qsizetype> widths(header.size());
    for (qsizetype c = 0; c < header.size(); ++c)
        widths[c] = header[c].size();
    for (const QStringList &row : rows) {
        for (qsizetype c = 0; c < row.size() && c < widths.size(); ++c)
            widths[c] = std::max(widths[c], row[c].size());
    }
    auto line = [&](const QStringList &cells) {
        QString text;
        for (qsizetype c = 0; c < widths.size(); ++c) {
            const QString cell = cells.value(c);
            text += c == 0 ? cell.leftJustified(widths[c]) : cell.rightJustified(widths[c]);
            text += QLatin1String(c + 1 < widths.size() ? "  " : "");
        }
        out << text << '\n';
    };
    line(header);
    QStringList rule;
    for (const qsizetype w : std::as_const(widths))
        rule.append(QString(w, QLatin1Char('-')));
    line(rule);
    for (const QStringList &row : rows)
        line(row);
    out << Qt::endl;
}

/// The 1-minute load average (Linux), or -1: timings taken on a busy machine are noisy.
double loadAverage()
{
    QFile file(QStringLiteral("/proc/loadavg"));
    if (!file.open(QIODevice::ReadOnly))
        return -1;
    bool ok = false;
    const double load = file.readLine().split(' ').value(0).toDouble(&ok);
    return ok ? load : -1;
}

/// Runs the event loop until nothing is pending (deferred deletes, queued index updates).
void settle()
{
    QCoreApplication::sendPostedEvents(nullptr, QEvent::DeferredDelete);
    QCoreApplication::processEvents(QEventLoop::AllEvents);
}

// ---------------------------------------------------------------------------------------
// Synthetic projects, built in memory

enum class Shape {
    FullMesh, ///< LAN hosts and 2 gateways, no exclude_peers
    Rings,    ///< LAN hosts in a ring (two neighbours each) and 2 gateways linked to everyone
};

struct Case
{
    Shape shape = Shape::FullMesh;
    int hosts = 0; ///< gateways included

    QString label() const
    {
        return (shape == Shape::FullMesh ? QStringLiteral("full mesh ") : QStringLiteral("rings+gw "))
            + QString::number(hosts);
    }
    int lan() const { return hosts - 2; }
    /// The links the document must derive.
    qsizetype expectedLinks() const
    {
        const qsizetype n = hosts;
        if (shape == Shape::FullMesh)
            return n * (n - 1) / 2;
        const qsizetype l = lan();
        const qsizetype ring = l >= 3 ? l : (l == 2 ? 1 : 0);
        return ring + 2 * l + 1; // ring, each gateway to each LAN host, gateway to gateway
    }
};

QString meshIpv4(int index)
{
    return QStringLiteral("10.20.%1.%2").arg(index / 250).arg(index % 250 + 1);
}

QString meshIpv6(int index)
{
    return QStringLiteral("fd20::") + QString::number(index + 1, 16);
}

Host gatewayHost(const QString &name, const QString &publicIp, int index)
{
    Host h;
    h.name = name;
    h.os = QStringLiteral("Linux");
    h.ssh = SshSettings{QString(), QString(), QStringLiteral("root"), 22, QStringLiteral("/etc/wireguard"), QString(),
                        QStringLiteral("systemctl restart wg-quick@wg0.service")};
    h.internet = SiteAddress{name + QLatin1String(".example.org"), publicIp};
    h.meshInterface().domain = QStringLiteral("mesh.example.net");
    h.meshInterface().ip = meshIpv4(index);
    h.meshInterface().ipv6 = meshIpv6(index);
    return h;
}

Host lanHost(const QString &name, int lanIndex, int index)
{
    Host h;
    h.name = name;
    h.os = QStringLiteral("Linux");
    h.ssh = SshSettings{QString(), QString(), QStringLiteral("root"), 22, QStringLiteral("/etc/wireguard"), QString(),
                        QStringLiteral("systemctl restart wg-quick@wg0.service")};
    h.lan = SiteAddress{QStringLiteral("home.example.net"),
                        QStringLiteral("192.168.%1.%2").arg(lanIndex / 250).arg(lanIndex % 250 + 1)};
    h.meshInterface().domain = QStringLiteral("mesh.example.net");
    h.meshInterface().ip = meshIpv4(index);
    h.meshInterface().ipv6 = meshIpv6(index);
    return h;
}

/// Two gateways first, then the LAN hosts. For rings, every LAN host excludes every other
/// LAN host but its two ring neighbours; the exclusion lists share the name strings
/// (implicit sharing), so a 1000-host project (about a million entries) is cheap to make.
Project makeProject(const Case &c)
{
    Project project;
    project.network.ipv4 = IpPrefix::parse(QStringLiteral("10.20.0.0/16"));
    project.network.ipv6 = IpPrefix::parse(QStringLiteral("fd20::/64"));
    project.hosts.reserve(c.hosts);
    project.hosts.append(gatewayHost(QStringLiteral("gw-a"), QStringLiteral("203.0.113.10"), 0));
    project.hosts.append(gatewayHost(QStringLiteral("gw-b"), QStringLiteral("198.51.100.20"), 1));

    const int lan = c.lan();
    const int width = int(QString::number(lan).size());
    QStringList names;
    names.reserve(lan);
    for (int i = 0; i < lan; ++i)
        names.append(QStringLiteral("lan-%1").arg(i + 1, width, 10, QLatin1Char('0')));
    for (int i = 0; i < lan; ++i) {
        Host h = lanHost(names[i], i, i + 2);
        if (c.shape == Shape::Rings && lan > 3) {
            const int previous = (i + lan - 1) % lan;
            const int next = (i + 1) % lan;
            h.excludePeers.reserve(lan - 3);
            for (int j = 0; j < lan; ++j) {
                if (j != i && j != previous && j != next)
                    h.excludePeers.append(names[j]);
            }
        }
        project.hosts.append(std::move(h));
    }
    return project;
}

/// An 11-host home lab: 6 LAN hosts, 2 internet gateways and 3 roaming clients. Roaming
/// clients exclude the LAN hosts and each other; LAN hosts exclude the roaming clients.
Project makeHomeLab()
{
    Project project;
    project.hosts.append(gatewayHost(QStringLiteral("puffer"), QStringLiteral("203.0.113.10"), 0));
    project.hosts.last().os = QStringLiteral("OpenBSD");
    project.hosts.last().ssh->user = QStringLiteral("ops");
    project.hosts.last().ssh->port = 2222;
    project.hosts.last().ssh->sudoCmd = QStringLiteral("doas");
    project.hosts.last().ssh->reloadCmd = QStringLiteral("sh /etc/netstart wg0");
    project.hosts.append(gatewayHost(QStringLiteral("cloudgw"), QStringLiteral("198.51.100.20"), 1));
    const QStringList lanNames{QStringLiteral("nas"),   QStringLiteral("k3s-a"), QStringLiteral("k3s-b"),
                               QStringLiteral("k3s-c"), QStringLiteral("pihole"), QStringLiteral("backup")};
    const QStringList roamingNames{QStringLiteral("laptop"), QStringLiteral("phone"), QStringLiteral("tablet")};
    int index = 2;
    for (qsizetype i = 0; i < lanNames.size(); ++i) {
        Host h = lanHost(lanNames[i], int(i) + 20, index++);
        if (lanNames[i] == QLatin1String("nas"))
            h.os = QStringLiteral("FreeBSD");
        h.excludePeers = roamingNames;
        project.hosts.append(h);
    }
    for (const QString &name : roamingNames) {
        Host h;
        h.name = name;
        h.os = name == QLatin1String("phone") ? QStringLiteral("Android") : QStringLiteral("Linux");
        h.meshInterface().domain = QStringLiteral("mesh.example.net");
        h.meshInterface().ip = meshIpv4(index + 98);
        h.meshInterface().ipv6 = meshIpv6(index + 98);
        ++index;
        h.excludePeers = lanNames;
        for (const QString &other : roamingNames) {
            if (other != name)
                h.excludePeers.append(other);
        }
        project.hosts.append(h);
    }
    return project;
}

constexpr qsizetype HomeLabLinks = 8 * 7 / 2 + 3 * 2; // LAN hosts and gateways in full mesh, roaming to gateways

// ---------------------------------------------------------------------------------------
// 1. Scene build

struct BuildResult
{
    Case c;
    qsizetype links = 0;
    qsizetype errors = 0;
    qsizetype warnings = 0;
    QList<double> build;     ///< reset() to every item present, events settled
    QList<double> resetOnly; ///< reset() with no scene attached (keys, copy)
    QList<double> linksMs;   ///< MeshDocument::links(), cold
    QList<double> validator; ///< MeshDocument::diagnostics(), cold
    double makeProject = 0;
    QStringList failures;
};

/// Every host has an item and every link of the document one link item.
QStringList checkScene(const MeshDocument &doc, const TopologyScene &scene, const Case &c)
{
    QStringList failures;
    const QList<MeshLink> links = doc.links();
    if (links.size() != c.expectedLinks())
        failures.append(QStringLiteral("%1: the document has %2 links, expected %3")
                            .arg(c.label()).arg(links.size()).arg(c.expectedLinks()));
    if (scene.linkItemCount() != links.size())
        failures.append(QStringLiteral("%1: the scene has %2 link items for %3 links")
                            .arg(c.label()).arg(scene.linkItemCount()).arg(links.size()));
    qsizetype missingHosts = 0;
    for (const HostId id : doc.hostIds()) {
        if (!scene.hostItem(id))
            ++missingHosts;
    }
    if (doc.hostIds().size() != c.hosts || missingHosts)
        failures.append(QStringLiteral("%1: %2 hosts in the document, %3 without an item")
                            .arg(c.label()).arg(doc.hostIds().size()).arg(missingHosts));
    qsizetype missingLinks = 0;
    for (const MeshLink &link : links) {
        if (!scene.linkItem(link.a, link.b))
            ++missingLinks;
    }
    if (missingLinks)
        failures.append(QStringLiteral("%1: %2 links without an item").arg(c.label()).arg(missingLinks));
    return failures;
}

BuildResult benchBuild(const Case &c, int repeats)
{
    BuildResult r;
    r.c = c;
    QElapsedTimer timer;
    timer.start();
    const Project project = makeProject(c);
    r.makeProject = ms(timer.nsecsElapsed());

    for (int rep = 0; rep < repeats; ++rep) {
        // The document alone: reset, then each lazily computed part, cold.
        {
            MeshDocument doc;
            timer.start();
            doc.reset(project);
            r.resetOnly.append(ms(timer.nsecsElapsed()));
            timer.start();
            const QList<MeshLink> links = doc.links();
            r.linksMs.append(ms(timer.nsecsElapsed()));
            timer.start();
            const QList<Diagnostic> findings = doc.diagnostics();
            r.validator.append(ms(timer.nsecsElapsed()));
            r.links = links.size();
            r.errors = std::count_if(findings.cbegin(), findings.cend(), [](const Diagnostic &d) { return d.isError(); });
            r.warnings = findings.size() - r.errors;
        }
        settle();

        // The scene, attached to an empty document first, as in the editor.
        auto doc = std::make_unique<MeshDocument>();
        auto scene = std::make_unique<TopologyScene>(doc.get());
        settle();
        timer.start();
        doc->reset(project);
        settle();
        r.build.append(ms(timer.nsecsElapsed()));
        if (rep == 0)
            r.failures += checkScene(*doc, *scene, c);
        scene.reset();
        doc.reset();
        settle();
    }
    return r;
}

// ---------------------------------------------------------------------------------------
// 2. Repaint

struct PaintResult
{
    Case c;
    qreal zoom = 0;
    double first = 0;           ///< first render (item caches cold)
    QList<double> render;       ///< viewport()->render() into a QImage, caches warm
    QList<double> repaint;      ///< viewport()->repaint(), into the window's backing store
    QStringList failures;
};

PaintResult benchPaint(const Case &c, int runs)
{
    PaintResult r;
    r.c = c;
    const Project project = makeProject(c);
    MeshDocument doc;
    TopologyScene scene(&doc);
    doc.reset(project);
    TopologyView view(&scene);
    view.resize(1600, 1000);
    // show() delivers the resize at once and makes the view visible, which fitAll() needs;
    // the first render comes before the event loop paints the window, so its caches are cold.
    view.show();
    view.fitAll();
    r.zoom = view.zoom();

    QWidget *viewport = view.viewport();
    QImage image(viewport->size(), QImage::Format_ARGB32_Premultiplied);
    QElapsedTimer timer;
    for (int run = 0; run <= runs; ++run) {
        image.fill(Qt::transparent);
        QPainter painter(&image);
        timer.start();
        viewport->render(&painter);
        const double t = ms(timer.nsecsElapsed());
        painter.end();
        if (run == 0) {
            r.first = t;
            settle();
        } else {
            r.render.append(t);
        }
    }
    // Something was drawn: the background and more than one colour.
    const QRgb corner = image.pixel(0, 0);
    qsizetype differing = 0;
    for (int y = 0; y < image.height(); y += 4) {
        const QRgb *line = reinterpret_cast<const QRgb *>(image.constScanLine(y));
        for (int x = 0; x < image.width(); x += 4)
            differing += line[x] != corner;
    }
    if (qAlpha(corner) == 0 || differing < 100)
        r.failures.append(QStringLiteral("%1: the rendered canvas looks blank (%2 sampled pixels differ)")
                              .arg(c.label()).arg(differing));

    for (int run = 0; run < runs; ++run) {
        timer.start();
        viewport->repaint();
        r.repaint.append(ms(timer.nsecsElapsed()));
    }
    return r;
}

// ---------------------------------------------------------------------------------------
// 4. Edit to update

struct EditResult
{
    Case c;
    QString edit;         ///< what was edited, for the table
    bool configs = false; ///< the config pane shows a host the edit changes
    QList<double> total;  ///< the edit to canvas, findings and configs updated and painted
    QList<double> sync;   ///< the edit's own call: the command, the canvas's items
    QList<double> findingsAt; ///< when the findings pane had refreshed (from the edit)
    QList<double> configsAt;  ///< when the config pane had refreshed (from the edit)
    QList<double> paint;  ///< the window's repaint at the end
    QStringList failures;
};

/// Times \a runs edits done by \a edit(run) on \a window's properties pane, each from the
/// edit to everything updated: the findings pane's refresh, the config pane's (when
/// \a configs) and the canvas repainted. \a check(run) says what is wrong afterwards.
EditResult timeEdits(MainWindow &window, const Case &c, const QString &label, bool configs, int runs,
                     const std::function<void(int)> &edit, const std::function<QString(int)> &check)
{
    EditResult r;
    r.c = c;
    r.edit = label;
    r.configs = configs;
    MeshDocument *doc = window.document();
    QElapsedTimer clock;
    double findingsAt = -1;
    double configsAt = -1;
    // Connected after the panes' own handlers, so these run when the panes are done.
    const auto findings = QObject::connect(doc, &MeshDocument::diagnosticsChanged, [&] { findingsAt = ms(clock.nsecsElapsed()); });
    const auto refreshed = QObject::connect(window.configPane(), &ConfigPane::refreshed, [&] { configsAt = ms(clock.nsecsElapsed()); });
    for (int run = 0; run < runs; ++run) {
        settle();
        findingsAt = configsAt = -1;
        clock.start();
        edit(run);
        const double sync = ms(clock.nsecsElapsed());
        QDeadlineTimer deadline(5000);
        while ((findingsAt < 0 || (configs && configsAt < 0)) && !deadline.hasExpired())
            QCoreApplication::processEvents(QEventLoop::WaitForMoreEvents, 50);
        const double beforePaint = ms(clock.nsecsElapsed());
        window.view()->viewport()->repaint();
        const double total = ms(clock.nsecsElapsed());
        if (findingsAt < 0 || (configs && configsAt < 0)) {
            r.failures.append(QStringLiteral("%1, %2: no update within 5 s").arg(c.label(), label));
            break;
        }
        if (const QString problem = check(run); !problem.isEmpty()) {
            r.failures.append(QStringLiteral("%1, %2: %3").arg(c.label(), label, problem));
            break;
        }
        r.total.append(total);
        r.sync.append(sync);
        r.findingsAt.append(findingsAt);
        r.configsAt.append(configs ? configsAt : 0);
        r.paint.append(total - beforePaint);
    }
    QObject::disconnect(findings);
    QObject::disconnect(refreshed);
    return r;
}

/// The editor on \a c, as a user has it: the main window at 1600x1000, fit zoom. Two
/// edits in the properties pane: a LAN host's mesh address (the host selected, its configs
/// shown) and the keepalive of a link (the link selected).
QList<EditResult> benchEdits(const Case &c, int runs)
{
    QList<EditResult> results;
    MainWindow window;
    window.resize(1600, 1000);
    window.document()->reset(makeProject(c));
    window.show();
    window.view()->fitAll();
    settle();
    MeshDocument *doc = window.document();
    const int width = int(QString::number(c.lan()).size());
    const QString first = QStringLiteral("lan-%1").arg(1, width, 10, QLatin1Char('0'));
    const QString second = QStringLiteral("lan-%1").arg(2, width, 10, QLatin1Char('0'));
    const HostId a = doc->idOf(first);
    const HostId b = doc->idOf(second);

    // The mesh address: typed into its field, then Return.
    window.scene()->selectHost(a);
    window.configPane()->refreshNow();
    settle();
    auto *address = window.propertiesPane()->findChild<QLineEdit *>(QStringLiteral("meshIpv4"));
    if (!address) {
        results.append(EditResult{c, QStringLiteral("mesh address"), true, {}, {}, {}, {}, {}, {QStringLiteral("no meshIpv4 field")}});
        return results;
    }
    // Two free addresses in turn, outside the generated ones (10.20.0.1 and up).
    auto addressOf = [](int run) { return QStringLiteral("10.20.200.%1").arg(run % 2 + 1); };
    results.append(timeEdits(
        window, c, QStringLiteral("mesh address of ") + first, true, runs,
        [&](int run) {
            address->setFocus();
            address->setText(addressOf(run));
            QKeyEvent press(QEvent::KeyPress, Qt::Key_Return, Qt::NoModifier);
            QCoreApplication::sendEvent(address, &press);
        },
        [&](int run) {
            if (doc->host(a)->meshInterface().ip != addressOf(run))
                return QStringLiteral("the document has %1").arg(doc->host(a)->meshInterface().ip);
            if (!window.configPane()->currentText().contains(QStringLiteral("Address = ") + addressOf(run)))
                return QStringLiteral("the config pane does not show the new address");
            return QString();
        }));

    // The keepalive of a link: the spin box's value, as arrows or typing set it.
    window.scene()->selectLink(a, b);
    settle();
    auto *keepalive = window.propertiesPane()->findChild<QSpinBox *>(QStringLiteral("linkKeepalive"));
    if (!keepalive) {
        results.append(EditResult{c, QStringLiteral("keepalive"), false, {}, {}, {}, {}, {}, {QStringLiteral("no linkKeepalive field")}});
        return results;
    }
    results.append(timeEdits(
        window, c, QStringLiteral("keepalive of %1 - %2").arg(first, second), false, runs,
        [&](int run) { keepalive->setValue(30 + run); },
        [&](int run) {
            const LinkSettings *settings = doc->project().linkSettings(first, second);
            if (!settings || settings->keepalive != 30 + run)
                return QStringLiteral("the document's link keepalive is not %1").arg(30 + run);
            return QString();
        }));
    return results;
}

// ---------------------------------------------------------------------------------------
// 3. Start-up

struct StartupRun
{
    double wallMs = 0;
    int paintedMs = -1; ///< what the program printed, -1 when it did not
    QString problem;
};

struct StartupResult
{
    StartupRun warmup;
    QList<StartupRun> runs;
    QStringList failures;
};

StartupRun launchOnce(const QString &projectPath, const QProcessEnvironment &environment)
{
    StartupRun run;
    QProcess process;
    process.setProcessEnvironment(environment);
    process.setProgram(QStringLiteral(MESHWRIGHT_BINARY));
    process.setArguments({projectPath});
    QElapsedTimer timer;
    timer.start();
    process.start();
    if (!process.waitForStarted(10000)) {
        run.problem = QStringLiteral("did not start: ") + process.errorString();
        return run;
    }
    // A failed open shows a modal message box and never quits: do not wait for ever.
    if (!process.waitForFinished(30000)) {
        process.kill();
        process.waitForFinished(5000);
        run.problem = QStringLiteral("did not quit within 30 s (an error dialog?)");
    }
    run.wallMs = ms(timer.nsecsElapsed());
    const QString stdOut = QString::fromLocal8Bit(process.readAllStandardOutput());
    const QString stdErr = QString::fromLocal8Bit(process.readAllStandardError()).trimmed();
    static const QRegularExpression painted(QStringLiteral("painted after (\\d+) ms"));
    if (const QRegularExpressionMatch match = painted.match(stdOut); match.hasMatch())
        run.paintedMs = match.captured(1).toInt();
    else if (run.problem.isEmpty())
        run.problem = QStringLiteral("printed no \"painted after\"");
    if (run.problem.isEmpty() && (process.exitStatus() != QProcess::NormalExit || process.exitCode() != 0))
        run.problem = QStringLiteral("exit code %1").arg(process.exitCode());
    if (!run.problem.isEmpty() && !stdErr.isEmpty())
        run.problem += QStringLiteral("; stderr: ") + stdErr.left(400);
    return run;
}

StartupResult benchStartup(int runs, bool warmup)
{
    StartupResult r;
    QTemporaryDir dir;
    if (!dir.isValid()) {
        r.failures.append(QStringLiteral("start-up: no temporary directory"));
        return r;
    }
    const Project project = makeHomeLab();
    const QString path = dir.filePath(QStringLiteral("homelab-11.yaml"));
    QString error;
    if (!ProjectFile::save(path, project, &error)) {
        r.failures.append(QStringLiteral("start-up: cannot write %1: %2").arg(path, error));
        return r;
    }
    // The written file must read back into a project with the intended links.
    ProjectFile::LoadError loadError;
    if (const auto loaded = ProjectFile::load(path, &loadError); !loaded) {
        r.failures.append(QStringLiteral("start-up: the project does not load: ") + loadError.toString());
        return r;
    } else {
        MeshDocument doc;
        doc.reset(*loaded);
        if (doc.links().size() != HomeLabLinks || hasErrors(doc.diagnostics()))
            r.failures.append(QStringLiteral("start-up: the home-lab project has %1 links (expected %2) "
                                             "and %3 findings")
                                  .arg(doc.links().size()).arg(HomeLabLinks).arg(doc.diagnostics().size()));
    }

    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert(QStringLiteral("MESHWRIGHT_STARTUP_PROBE"), QStringLiteral("1"));
    environment.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
    // Its own settings (recent files, window state), not the user's.
    const QString config = dir.filePath(QStringLiteral("config"));
    QDir().mkpath(config);
    environment.insert(QStringLiteral("XDG_CONFIG_HOME"), config);

    if (warmup) {
        r.warmup = launchOnce(path, environment);
        if (!r.warmup.problem.isEmpty())
            r.failures.append(QStringLiteral("start-up (first run): ") + r.warmup.problem);
    }
    for (int i = 0; i < runs; ++i) {
        r.runs.append(launchOnce(path, environment));
        if (!r.runs.last().problem.isEmpty())
            r.failures.append(QStringLiteral("start-up run %1: %2").arg(i + 1).arg(r.runs.last().problem));
    }
    return r;
}

// ---------------------------------------------------------------------------------------

std::optional<QList<Case>> parseCases(const QString &text)
{
    QList<Case> cases;
    for (const QString &item : text.split(QLatin1Char(','), Qt::SkipEmptyParts)) {
        const QStringList parts = item.split(QLatin1Char(':'));
        bool ok = false;
        const int hosts = parts.value(1).toInt(&ok);
        if (parts.size() != 2 || !ok || hosts < 6 || hosts > 60000)
            return std::nullopt;
        if (parts[0] == QLatin1String("mesh"))
            cases.append({Shape::FullMesh, hosts});
        else if (parts[0] == QLatin1String("rings"))
            cases.append({Shape::Rings, hosts});
        else
            return std::nullopt;
    }
    return cases;
}

} // namespace

int main(int argc, char *argv[])
{
    if (!qEnvironmentVariableIsSet("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    app.setApplicationName(QStringLiteral("bench_scene"));

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Benchmark of the canvas: scene build, repaint, start-up."));
    parser.addHelpOption();
    const QCommandLineOption smokeOption(QStringLiteral("smoke"),
                                         QStringLiteral("Small sizes, one run each; exit non-zero on wrong results."));
    const QCommandLineOption repeatsOption(QStringLiteral("repeats"), QStringLiteral("Runs per measurement (default 5)."),
                                           QStringLiteral("n"), QStringLiteral("5"));
    const QCommandLineOption buildOption(QStringLiteral("build"),
                                         QStringLiteral("Scene build cases (default mesh:100,rings:500,rings:1000)."),
                                         QStringLiteral("cases"));
    const QCommandLineOption paintOption(QStringLiteral("paint"),
                                         QStringLiteral("Repaint cases (default mesh:100,rings:500; 'none' to skip)."),
                                         QStringLiteral("cases"));
    const QCommandLineOption editOption(QStringLiteral("edit"),
                                        QStringLiteral("Edit-to-update cases (default rings:500; 'none' to skip)."),
                                        QStringLiteral("cases"));
    const QCommandLineOption noStartupOption(QStringLiteral("no-startup"), QStringLiteral("Skip the start-up runs."));
    parser.addOptions({smokeOption, repeatsOption, buildOption, paintOption, editOption, noStartupOption});
    parser.process(app);

    const bool smoke = parser.isSet(smokeOption);
    bool ok = false;
    const int repeats = smoke ? 1 : parser.value(repeatsOption).toInt(&ok);
    if (!smoke && (!ok || repeats < 1)) {
        QTextStream(stderr) << "bench_scene: --repeats takes a positive number\n";
        return 2;
    }
    auto casesFrom = [&](const QCommandLineOption &option, const QString &normal, const QString &small) {
        const QString text = parser.isSet(option) ? parser.value(option) : (smoke ? small : normal);
        return text == QLatin1String("none") ? std::optional<QList<Case>>(QList<Case>{}) : parseCases(text);
    };
    const auto buildCases = casesFrom(buildOption, QStringLiteral("mesh:100,rings:500,rings:1000"),
                                      QStringLiteral("mesh:12,rings:24"));
    const auto paintCases = casesFrom(paintOption, QStringLiteral("mesh:100,rings:500"), QStringLiteral("mesh:12,rings:24"));
    const auto editCases = casesFrom(editOption, QStringLiteral("rings:500"), QStringLiteral("rings:24"));
    if (!buildCases || !paintCases || !editCases) {
        QTextStream(stderr) << "bench_scene: cases are a comma-separated list of mesh:N or rings:N (N >= 6)\n";
        return 2;
    }

    out << "bench_scene" << (smoke ? " --smoke" : "") << ": Qt " << qVersion() << ", platform "
        << QGuiApplication::platformName() << ", " << repeats << " run(s) per measurement, times in ms, "
        << QThread::idealThreadCount() << " CPUs, load average " << loadAverage() << "\n\n";
    QStringList failures;

    // 1. Scene build
    QList<BuildResult> builds;
    for (const Case &c : *buildCases) {
        builds.append(benchBuild(c, repeats));
        failures += builds.last().failures;
    }
    if (!builds.isEmpty()) {
        out << "1. Scene build: MeshDocument::reset() to every host and link item present (median of "
            << repeats << ")\n";
        QList<QStringList> rows;
        for (const BuildResult &b : std::as_const(builds)) {
            const double build = median(b.build);
            const double parts = median(b.resetOnly) + median(b.linksMs) + median(b.validator);
            rows.append({b.c.label(), QString::number(b.c.hosts), QString::number(b.links),
                         QStringLiteral("%1/%2").arg(b.errors).arg(b.warnings), fmt(build), fmt(minimum(b.build)),
                         fmt(median(b.resetOnly)), fmt(median(b.linksMs)), fmt(median(b.validator)),
                         fmt(std::max(0.0, build - parts)), fmt(b.makeProject)});
        }
        printTable({QStringLiteral("case"), QStringLiteral("hosts"), QStringLiteral("links"),
                    QStringLiteral("err/warn"), QStringLiteral("build"), QStringLiteral("min"),
                    QStringLiteral("reset()"), QStringLiteral("links()"), QStringLiteral("validator"),
                    QStringLiteral("rest (scene)"), QStringLiteral("make project")},
                   rows);
        out << "   reset(), links() and validator are timed alone on a document without a scene; "
               "\"rest\" is build minus the three.\n\n";
    }

    // 2. Repaint
    QList<PaintResult> paints;
    for (const Case &c : *paintCases) {
        paints.append(benchPaint(c, std::max(repeats, smoke ? 1 : 9)));
        failures += paints.last().failures;
    }
    if (!paints.isEmpty()) {
        out << "2. Full repaint of a 1600x1000 TopologyView at fit zoom\n";
        QList<QStringList> rows;
        for (const PaintResult &p : std::as_const(paints)) {
            rows.append({p.c.label(), fmt(p.zoom, 3), fmt(p.first, 2), fmt(median(p.render), 2),
                         fmt(minimum(p.render), 2), fmt(median(p.repaint), 2), QString::number(p.render.size())});
        }
        printTable({QStringLiteral("case"), QStringLiteral("zoom"), QStringLiteral("first render"),
                    QStringLiteral("render (median)"), QStringLiteral("min"), QStringLiteral("repaint() (median)"),
                    QStringLiteral("runs")},
                   rows);
        out << "   render: viewport()->render() into a QImage; first: with cold item caches; "
               "repaint(): the window's own path into its backing store.\n\n";
    }

    // 3. Start-up
    std::optional<StartupResult> startup;
    if (!parser.isSet(noStartupOption)) {
        startup = benchStartup(smoke ? 1 : 5, !smoke);
        failures += startup->failures;
        out << "3. Start-up to painted window: " << MESHWRIGHT_BINARY << " homelab-11.yaml "
            << "(11 hosts, 34 links), MESHWRIGHT_STARTUP_PROBE=1\n";
        QList<QStringList> rows;
        auto row = [](const QString &label, const StartupRun &run) {
            return QStringList{label, fmt(run.wallMs), run.paintedMs < 0 ? QStringLiteral("-") : QString::number(run.paintedMs)};
        };
        if (!smoke)
            rows.append(row(QStringLiteral("first (not counted)"), startup->warmup));
        QList<double> walls;
        QList<double> painted;
        for (qsizetype i = 0; i < startup->runs.size(); ++i) {
            rows.append(row(QStringLiteral("run %1").arg(i + 1), startup->runs[i]));
            walls.append(startup->runs[i].wallMs);
            painted.append(startup->runs[i].paintedMs);
        }
        rows.append({QStringLiteral("median"), fmt(median(walls)), fmt(median(painted), 0)});
        printTable({QStringLiteral("run"), QStringLiteral("process wall"), QStringLiteral("painted after")}, rows);
    }

    // 4. Edit to update
    QList<EditResult> edits;
    for (const Case &c : *editCases) {
        for (EditResult &e : benchEdits(c, std::max(repeats, smoke ? 2 : 9))) {
            failures += e.failures;
            edits.append(std::move(e));
        }
    }
    if (!edits.isEmpty()) {
        out << "4. Edit to update: an edit in the properties pane until findings, configs and canvas are "
               "updated and painted (median)\n";
        QList<QStringList> rows;
        for (const EditResult &e : std::as_const(edits)) {
            rows.append({e.c.label(), e.edit, fmt(median(e.total)), fmt(minimum(e.total)), fmt(median(e.sync)),
                         fmt(median(e.findingsAt)), e.configs ? fmt(median(e.configsAt)) : QStringLiteral("-"),
                         fmt(median(e.paint)), QString::number(e.total.size())});
        }
        printTable({QStringLiteral("case"), QStringLiteral("edit"), QStringLiteral("total"), QStringLiteral("min"),
                    QStringLiteral("edit call"), QStringLiteral("findings at"), QStringLiteral("configs at"),
                    QStringLiteral("repaint"), QStringLiteral("runs")},
                   rows);
        out << "   edit call: the edit itself (the undo command, the canvas's items); findings at / configs at: "
               "when those panes had refreshed, from the edit; repaint: the canvas painted at the end.\n\n";
    }

    // Against the targets
    if (!smoke) {
        out << "Targets\n";
        QList<QStringList> rows;
        for (const BuildResult &b : std::as_const(builds)) {
            if (b.c.hosts == TargetHosts)
                rows.append({QStringLiteral("scene build, ") + b.c.label(), QStringLiteral("< ") + fmt(BuildTargetMs, 0),
                             fmt(median(b.build)), verdict(median(b.build), BuildTargetMs)});
        }
        for (const PaintResult &p : std::as_const(paints)) {
            if (p.c.hosts == TargetHosts) {
                rows.append({QStringLiteral("full repaint (render), ") + p.c.label(),
                             QStringLiteral("< ") + fmt(RepaintTargetMs, 0), fmt(median(p.render), 2),
                             verdict(median(p.render), RepaintTargetMs)});
                rows.append({QStringLiteral("full repaint (first), ") + p.c.label(),
                             QStringLiteral("< ") + fmt(RepaintTargetMs, 0), fmt(p.first, 2),
                             verdict(p.first, RepaintTargetMs)});
            }
        }
        for (const EditResult &e : std::as_const(edits)) {
            if (e.c.hosts == TargetHosts && !e.total.isEmpty())
                rows.append({e.edit + QStringLiteral(", ") + e.c.label(), QStringLiteral("< ") + fmt(EditTargetMs, 0),
                             fmt(median(e.total)), verdict(median(e.total), EditTargetMs)});
        }
        if (startup && !startup->runs.isEmpty()) {
            QList<double> walls;
            for (const StartupRun &run : std::as_const(startup->runs))
                walls.append(run.wallMs);
            rows.append({QStringLiteral("launch to painted window (wall)"), QStringLiteral("< ") + fmt(StartupTargetMs, 0),
                         fmt(median(walls)), verdict(median(walls), StartupTargetMs)});
        }
        printTable({QStringLiteral("target"), QStringLiteral("limit"), QStringLiteral("measured"), QStringLiteral("")}, rows);
    }

    const double loadAfter = loadAverage();
    out << "Load average at the end: " << loadAfter
        << (loadAfter > QThread::idealThreadCount() ? " (above the CPU count: other work ran, timings are noisy)" : "")
        << "\n";
    if (!failures.isEmpty()) {
        out << "FAILED checks:\n";
        for (const QString &failure : std::as_const(failures))
            out << "  " << failure << '\n';
        out.flush();
        return 1;
    }
    out << "All checks passed (item counts, rendered canvas, start-up probe).\n";
    out.flush();
    return 0;
}
