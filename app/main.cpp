// Entry point of the meshwright program: the editor, or a command of the command line.
#include "commandline.h"
#include "mainwindow.h"
#include "sshdeployer.h"
#include "sshimport.h"
#include "sshstatuspoller.h"
#include "topologyview.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QIcon>
#include <QTextStream>

#include <sys/prctl.h>
#include <sys/resource.h>
#include <QTimer>

namespace {

bool hasDisplay()
{
    return qEnvironmentVariableIsSet("QT_QPA_PLATFORM") || qEnvironmentVariableIsSet("DISPLAY")
        || qEnvironmentVariableIsSet("WAYLAND_DISPLAY");
}

/// With MESHWRIGHT_STARTUP_PROBE set, prints the time from start to the first painted
/// canvas and quits: what the start-up benchmark measures.
class StartupProbe : public QObject
{
public:
    explicit StartupProbe(const QElapsedTimer &timer)
        : m_timer(timer)
    {
    }

protected:
    bool eventFilter(QObject *watched, QEvent *event) override
    {
        if (event->type() == QEvent::Paint && !m_done) {
            m_done = true;
            QTimer::singleShot(0, qApp, [this] {
                QTextStream(stdout) << "painted after " << m_timer.elapsed() << " ms" << Qt::endl;
                qApp->quit();
            });
        }
        return QObject::eventFilter(watched, event);
    }

private:
    const QElapsedTimer &m_timer;
    bool m_done = false;
};

/// One application id everywhere: desktop file, metainfo, icon, settings.
void describe(QCoreApplication &app)
{
    app.setOrganizationName(QStringLiteral("io.github.meshwright"));
    app.setOrganizationDomain(QStringLiteral("meshwright.github.io"));
    app.setApplicationName(QStringLiteral("Meshwright"));
    app.setApplicationVersion(QStringLiteral(MESHWRIGHT_VERSION));
}

} // namespace

int main(int argc, char *argv[])
{
    // The process holds private keys: no core dump of it, and no other process of the user
    // may read its memory, where the OS lets us prevent that.
#if !defined(__SANITIZE_ADDRESS__) // LeakSanitizer attaches to the process at exit
    ::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
#endif
    const rlimit noCore{0, 0};
    ::setrlimit(RLIMIT_CORE, &noCore);
    QElapsedTimer started;
    started.start();
    QStringList arguments;
    for (int i = 1; i < argc; ++i)
        arguments.append(QString::fromLocal8Bit(argv[i]));

    // No command, or just a project file: the editor.
    const QString &first = arguments.isEmpty() ? QString() : arguments.front();
    const bool looksLikeProject = QFileInfo::exists(first) || first.endsWith(QLatin1String(".yaml"))
        || first.endsWith(QLatin1String(".yml"));
    const bool wantsEditor = arguments.isEmpty()
        || (arguments.size() == 1 && looksLikeProject && !CommandLine::isCommand(first));
    if (wantsEditor && hasDisplay()) {
        QApplication app(argc, argv);
        describe(app);
        QGuiApplication::setDesktopFileName(QStringLiteral("io.github.meshwright.Meshwright"));
        QApplication::setWindowIcon(QIcon(QStringLiteral(":/icons/meshwright.svg")));
        // Declared before the window, so they outlive it: its deploys and polls run on them.
        SshDeployer deployer;
        SshStatusPoller poller;
        SshConfigReader reader;
        MainWindow window(nullptr, &deployer, &poller, &reader);
        if (arguments.isEmpty() || !window.openFile(arguments.front()))
            window.openExample();
        StartupProbe probe(started);
        if (qEnvironmentVariableIsSet("MESHWRIGHT_STARTUP_PROBE"))
            window.view()->viewport()->installEventFilter(&probe);
        window.show();
        return app.exec();
    }

    QCoreApplication app(argc, argv);
    describe(app);
    QTextStream out(stdout);
    QTextStream err(stderr);
    if (wantsEditor && !arguments.isEmpty()) {
        err << "meshwright: no display to open " << arguments.front()
            << " in; the commands below work without one.\n\n";
        CommandLine::run({}, err, err);
        return CommandLine::BadInput;
    }
    return CommandLine::run(arguments, out, err);
}
