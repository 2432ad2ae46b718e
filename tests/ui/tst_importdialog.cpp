// Tests of ImportDialog over running hosts: a reader in place of SSH, the host-key
// questions, the SSH settings recorded, and refusals.
#include "importdialog.h"
#include "importsupport.h"
#include "keystore.h"
#include "meshdocument.h"
#include "planner.h"
#include "projectfile.h"
#include "testsupport.h"
#include "topologyscene.h"
#include "wgquick.h"

#include <QAbstractButton>
#include <QApplication>
#include <QMessageBox>
#include <QMutex>
#include <QPushButton>
#include <QSignalSpy>
#include <QTabWidget>
#include <QTest>
#include <QTimer>

namespace {

/// Running hosts, as an SSH reader would find them: each address gives its host's config;
/// the hosts in unknownKeys present a key not in known_hosts (accepted only by exactly
/// that fingerprint); the hosts in changedKeys a key that changed.
class FakeReader : public ConfigImport::RemoteReader
{
public:
    QHash<QString, ConfigImport::RemoteHost> hosts; ///< by address
    QHash<QString, QString> unknownKeys;            ///< address -> fingerprint
    QSet<QString> changedKeys;
    QList<QHash<QString, QString>> acceptedSeen; ///< options.acceptedFingerprints of each read
    QMutex mutex;

    std::optional<ConfigImport::RemoteHost> read(const PollTarget &target, const QString &identity, const DeployOptions &options,
                                                 QStringList *, QString *error, QString *unknownKey) override
    {
        const QMutexLocker lock(&mutex);
        acceptedSeen.append(options.acceptedFingerprints);
        const QString who = target.host.isEmpty() ? target.address : target.host;
        if (changedKeys.contains(target.address)) {
            *error = target.address + QStringLiteral(": host key: the host key CHANGED; refused");
            return std::nullopt;
        }
        if (unknownKeys.contains(target.address) && options.acceptedFingerprints.value(who) != unknownKeys.value(target.address)) {
            *error = target.address + QStringLiteral(": host key: unknown host key ") + unknownKeys.value(target.address);
            *unknownKey = unknownKeys.value(target.address);
            return std::nullopt;
        }
        if (!hosts.contains(target.address)) {
            *error = target.address + QStringLiteral(": connect: no route to host");
            return std::nullopt;
        }
        ConfigImport::RemoteHost host = hosts.value(target.address);
        if (!target.host.isEmpty())
            host.host = target.host;
        for (ConfigImport::Source &source : host.sources)
            source.host = host.host;
        host.ssh.host = target.address;
        host.ssh.user = target.user;
        host.ssh.port = target.port;
        host.ssh.identity = identity;
        host.ssh.sudoCmd = target.sudoCmd;
        return host;
    }
};

/// While \a context lives, answers the "accept this host key?" questions with \a answer,
/// noting what they asked.
void answerHostKeys(QObject *context, QMessageBox::StandardButton answer, QStringList *asked)
{
    QTimer *timer = new QTimer(context);
    timer->setInterval(10);
    QObject::connect(timer, &QTimer::timeout, context, [answer, asked] {
        for (QWidget *widget : QApplication::topLevelWidgets()) {
            auto *box = qobject_cast<QMessageBox *>(widget);
            if (box && box->isVisible() && box->objectName() == QLatin1String("acceptHostKeyBox")) {
                asked->append(box->text());
                box->button(answer)->click();
            }
        }
    });
    timer->start();
}

} // namespace

class tst_ImportDialog : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void readsRunningHosts();
    void refusedHostKeyReadsNothing();
    void errorsAreShown();

private:
    bool readAndWait(ImportDialog &dialog);
    std::optional<Project> m_estate;
    KeyStore m_keys;
    FakeReader m_reader;
};

void tst_ImportDialog::initTestCase()
{
    ProjectFile::LoadError error;
    m_estate = ProjectFile::load(TestSupport::sourcePath(QStringLiteral("tests/data/import-mesh.yaml")), &error);
    QVERIFY2(m_estate, qPrintable(error.toString()));
    const Planner planner(*m_estate);
    m_keys.ensure(planner.keyIds(), planner.presharedKeyPairs());
    // Each host reachable at an address of its own, and calling itself by its name.
    for (qsizetype i = 0; i < m_estate->hosts.size(); ++i) {
        const QString address = QStringLiteral("192.0.2.%1").arg(i + 1);
        ConfigImport::RemoteHost host;
        host.host = m_estate->hosts[i].name;
        host.ssh.confDir = QStringLiteral("/etc/wireguard");
        host.sources.append({host.host, QStringLiteral("wg0"), address + QStringLiteral(":/etc/wireguard/wg0.conf"),
                             WgQuick::write(planner.plan(i, m_keys).config), QStringLiteral("Linux")});
        m_reader.hosts.insert(address, host);
    }
}

bool tst_ImportDialog::readAndWait(ImportDialog &dialog)
{
    QSignalSpy finished(&dialog, &ImportDialog::readFinished);
    dialog.read();
    if (finished.isEmpty()) // a read that fails at once (a bad target) has finished already
        finished.wait(10000);
    return finished.size() == 1 && !dialog.isReading();
}

void tst_ImportDialog::readsRunningHosts()
{
    // Every host read over "SSH"; one presents a key not known yet: asked about once, by
    // its fingerprint, then read again accepting exactly that key. The preview shows the
    // estate, Import is enabled, and every host keeps the settings that reached it.
    m_reader.unknownKeys = {{QStringLiteral("192.0.2.2"), QStringLiteral("SHA256:c2Vjb25kLWhvc3Qta2V5")}};
    m_reader.acceptedSeen.clear();
    ImportDialog dialog(&m_reader);
    QStringList targets;
    for (qsizetype i = 0; i < m_estate->hosts.size(); ++i)
        targets.append(QStringLiteral("root@192.0.2.%1%2").arg(i + 1).arg(i == 1 ? QStringLiteral(":2222") : QString()));
    dialog.setSshTargets(targets);
    QStringList asked;
    answerHostKeys(&dialog, QMessageBox::Yes, &asked);
    QVERIFY(readAndWait(dialog));
    QCOMPARE(asked, QStringList{QStringLiteral("Accept key SHA256:c2Vjb25kLWhvc3Qta2V5 for 192.0.2.2?")});
    QVERIFY(m_reader.acceptedSeen.back().value(QStringLiteral("192.0.2.2")) == QStringLiteral("SHA256:c2Vjb25kLWhvc3Qta2V5"));
    QCOMPARE(m_reader.acceptedSeen.back().size(), 1); // only the key the user saw
    QVERIFY2(dialog.result(), qPrintable(dialog.errorText()));
    QVERIFY(dialog.result()->losses.isEmpty());
    QVERIFY(dialog.findChild<QPushButton *>(QStringLiteral("importAccept"))->isEnabled());
    const Project &project = dialog.result()->project;
    QCOMPARE(project.hosts.size(), m_estate->hosts.size());
    const Host *second = project.host(m_estate->hosts[1].name);
    QVERIFY(second && second->ssh);
    QCOMPARE(second->ssh->host, QStringLiteral("192.0.2.2"));
    QCOMPARE(second->ssh->port, 2222);
    QCOMPARE(second->ssh->user, QStringLiteral("root"));
    QCOMPARE(second->ssh->sudoCmd, QStringLiteral("sudo -n"));
    QCOMPARE(dialog.result()->keys.privateKey(second->name), m_keys.privateKey(second->name));
    // The preview draws every host.
    const TopologyScene *preview = dialog.previewScene();
    for (const Host &host : project.hosts)
        QVERIFY2(preview->hostItem(preview->document()->idOf(host.name)), qPrintable(host.name));
}

void tst_ImportDialog::refusedHostKeyReadsNothing()
{
    // A key the user does not accept: nothing is imported, and the dialog says why.
    m_reader.unknownKeys = {{QStringLiteral("192.0.2.1"), QStringLiteral("SHA256:Zmlyc3QtaG9zdC1rZXk")}};
    ImportDialog dialog(&m_reader);
    dialog.setSshTargets({QStringLiteral("root@192.0.2.1"), QStringLiteral("root@192.0.2.3")});
    QStringList asked;
    answerHostKeys(&dialog, QMessageBox::No, &asked);
    QVERIFY(readAndWait(dialog));
    QCOMPARE(asked.size(), 1);
    QVERIFY(!dialog.result());
    QVERIFY2(dialog.errorText().contains(QLatin1String("the host key of 192.0.2.1 was not accepted")), qPrintable(dialog.errorText()));
    QVERIFY(!dialog.findChild<QPushButton *>(QStringLiteral("importAccept"))->isEnabled());
}

void tst_ImportDialog::errorsAreShown()
{
    // A changed key is never offered: it is an error, as is a host that cannot be reached
    // and a target that is not one.
    m_reader.unknownKeys.clear();
    m_reader.changedKeys = {QStringLiteral("192.0.2.3")};
    ImportDialog dialog(&m_reader);
    dialog.setSshTargets({QStringLiteral("root@192.0.2.1"), QStringLiteral("root@192.0.2.3")});
    QStringList asked;
    answerHostKeys(&dialog, QMessageBox::Yes, &asked);
    QVERIFY(readAndWait(dialog));
    QVERIFY(asked.isEmpty());
    QVERIFY(!dialog.result());
    QVERIFY2(dialog.errorText().contains(QLatin1String("CHANGED")), qPrintable(dialog.errorText()));
    QVERIFY(dialog.findings().front().startsWith(QLatin1String("error: 192.0.2.3: host key")));
    m_reader.changedKeys.clear();
    dialog.setSshTargets({QStringLiteral("root@not a host")});
    QVERIFY(readAndWait(dialog));
    QVERIFY(!dialog.result());
    QCOMPARE(dialog.errorText(), QStringLiteral("--ssh 'root@not a host' is not [NAME=][USER@]HOST[:PORT]"));
    // Without a reader, only files can be read.
    ImportDialog filesOnly(nullptr);
    QVERIFY(!filesOnly.findChild<QTabWidget *>()->isTabEnabled(1));
}

QTEST_MAIN(tst_ImportDialog)
#include "tst_importdialog.moc"
