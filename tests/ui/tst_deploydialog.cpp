// Tests of the deploy dialog on the real transaction over a fleet in memory: plan, phases, links, verdict.
#include "deploydialog.h"
#include "deployment.h"
#include "fakefleet.h"
#include "hostjobs.h"
#include "keystore.h"
#include "linkitem.h"
#include "mainwindow.h"
#include "meshdocument.h"
#include "projectfile.h"
#include "topologyscene.h"

#include <QAction>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QTextBlock>
#include <QTextEdit>
#include <QTextLayout>
#include <QTimer>
#include <QToolBar>
#include <QTreeWidget>

#include <functional>
#include <memory>

namespace {

/// Answers every message box called \a name (any, when empty) under \a parent with
/// \a button as soon as it shows, and notes its text in \a texts (which must outlive the
/// returned timer, a child of \a parent).
QTimer *answerBoxes(QWidget *parent, const QString &name, QMessageBox::StandardButton button, QStringList *texts)
{
    auto *timer = new QTimer(parent);
    timer->setInterval(5);
    QObject::connect(timer, &QTimer::timeout, parent, [parent, name, button, texts] {
        for (QMessageBox *box : parent->findChildren<QMessageBox *>()) {
            if (!box->isVisible() || (!name.isEmpty() && box->objectName() != name))
                continue;
            texts->append(box->text());
            if (QAbstractButton *b = box->button(button))
                b->click();
            else
                box->reject();
        }
    });
    timer->start();
    return timer;
}

QTreeWidgetItem *row(const DeployDialog &dialog, const QString &host)
{
    auto *list = dialog.findChild<QTreeWidget *>(QStringLiteral("hostList"));
    const QList<QTreeWidgetItem *> found = list->findItems(host, Qt::MatchExactly);
    return found.isEmpty() ? nullptr : found.front();
}

const QStringList SshHosts{QStringLiteral("nas"), QStringLiteral("k3s-a"), QStringLiteral("k3s-b"), QStringLiteral("puffer"),
                           QStringLiteral("cloudgw")};

} // namespace

class tst_DeployDialog : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void init();
    void cleanup();
    void listsHostsWithAndWithoutSsh();
    void showChangesIsADryRunOfTheCheckedHosts();
    void diffColoursReadOnBothPalettes_data();
    void diffColoursReadOnBothPalettes();
    void uncheckedHostIsLeftOut();
    void deployShowsPhasesLinksAndVerdict();
    void failedLinkRollsBackEveryHost();
    void hostFailingToPrepareSwitchesNothing();
    void rotationFromTheWindowIsDeployedAndSettled();
    void newKeysAreSavedBeforeDeploying();
    void untitledProjectIsSavedFirst();
    void cancelBeforeTheSwitchSwitchesNothing();
    void unknownHostKeyIsOffered_data();
    void unknownHostKeyIsOffered();
    void changedHostKeyIsNeverOffered();
    void mainWindowDeployAction();
    void mainWindowWithoutDeployer();

private:
    /// The fleet runs what the project generates now (a mesh that is up), with \a edit
    /// applied to nas's live config.
    void bringUp(const std::function<void(QByteArray &)> &edit = {});
    QString overall(const DeployDialog &dialog) const { return dialog.findChild<QLabel *>(QStringLiteral("overall"))->text(); }

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<MeshDocument> m_document;
    std::unique_ptr<FakeFleet> m_fleet;
    std::unique_ptr<FakeDeployer> m_deployer;
};

void tst_DeployDialog::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
}

void tst_DeployDialog::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    m_document = std::make_unique<MeshDocument>();
    m_fleet = std::make_unique<FakeFleet>();
    m_deployer = std::make_unique<FakeDeployer>(*m_fleet);
    ProjectFile::LoadError loadError;
    const auto project = ProjectFile::load(QStringLiteral(MESHWRIGHT_SOURCE_DIR "/resources/examples/homelab-mesh.yaml"), &loadError);
    QVERIFY2(project, qPrintable(loadError.toString()));
    m_document->reset(*project);
    QString error;
    QVERIFY2(m_document->save(m_dir->filePath(QStringLiteral("homelab-mesh.yaml")), &error), qPrintable(error));
    QVERIFY(QFile::exists(m_dir->filePath(QStringLiteral("homelab-mesh.keys"))));
}

void tst_DeployDialog::cleanup()
{
    QVERIFY(!m_deployer->startedWhileRunning);
    m_deployer.reset();
    m_fleet.reset();
    m_document.reset();
    m_dir.reset();
}

void tst_DeployDialog::bringUp(const std::function<void(QByteArray &)> &edit)
{
    QString error;
    const auto plan = m_document->deployPlan({}, &error);
    QVERIFY2(plan, qPrintable(error));
    m_fleet->adopt(*plan, true);
    if (edit)
        edit(m_fleet->hosts[QStringLiteral("nas")].live[0]);
}

void tst_DeployDialog::listsHostsWithAndWithoutSsh()
{
    DeployDialog dialog(m_document.get(), m_deployer.get());
    dialog.show();
    auto *list = dialog.findChild<QTreeWidget *>(QStringLiteral("hostList"));
    QVERIFY(list);
    QCOMPARE(list->topLevelItemCount(), 7);
    for (const QString &host : SshHosts) {
        QTreeWidgetItem *item = row(dialog, host);
        QVERIFY2(item, qPrintable(host));
        QVERIFY(item->flags() & Qt::ItemIsUserCheckable);
        QVERIFY(item->flags() & Qt::ItemIsEnabled);
        QCOMPARE(item->checkState(0), Qt::Checked);
        QVERIFY(qobject_cast<QProgressBar *>(list->itemWidget(item, 1)));
    }
    for (const QString &host : {QStringLiteral("laptop"), QStringLiteral("phone")}) {
        QTreeWidgetItem *item = row(dialog, host);
        QVERIFY2(item, qPrintable(host));
        QVERIFY(!(item->flags() & Qt::ItemIsUserCheckable)); // not checkable
        QVERIFY(!(item->flags() & Qt::ItemIsEnabled));       // greyed
        QCOMPARE(item->checkState(0), Qt::Unchecked);
        QVERIFY(item->text(3).contains(QLatin1String("installed by hand: see its QR code / Configs")));
        dialog.setHostChecked(host, true); // refused
        QCOMPARE(item->checkState(0), Qt::Unchecked);
    }
    QCOMPARE(dialog.checkedHosts(), SshHosts);

    // Nothing checked: nothing to start (an empty list would mean every host).
    for (const QString &host : SshHosts)
        dialog.setHostChecked(host, false);
    QVERIFY(!dialog.findChild<QPushButton *>(QStringLiteral("deployButton"))->isEnabled());
    QVERIFY(!dialog.findChild<QPushButton *>(QStringLiteral("showChanges"))->isEnabled());
    dialog.deploy();
    QVERIFY(m_deployer->runs.isEmpty());

    // A host given SSH in the editor joins the list, checked; the user's choices stay.
    Host laptop = *m_document->host(m_document->idOf(QStringLiteral("laptop")));
    laptop.ssh = SshSettings{};
    laptop.ssh->user = QStringLiteral("me");
    QVERIFY(m_document->changeHost(m_document->idOf(QStringLiteral("laptop")), laptop, QStringLiteral("SSH")));
    QCOMPARE(dialog.checkedHosts(), QStringList{QStringLiteral("laptop")});
}

void tst_DeployDialog::showChangesIsADryRunOfTheCheckedHosts()
{
    bringUp([](QByteArray &nas) { nas.replace("Address = 10.77.0.20/24", "Address = 10.77.0.9/24"); });
    DeployDialog dialog(m_document.get(), m_deployer.get());
    dialog.show();
    row(dialog, QStringLiteral("k3s-b"))->setCheckState(0, Qt::Unchecked);
    QTest::mouseClick(dialog.findChild<QPushButton *>(QStringLiteral("showChanges")), Qt::LeftButton);
    QCOMPARE(m_deployer->runs.size(), 1);
    const FakeDeployer::Run &run = m_deployer->runs.front();
    QVERIFY(run.options.dryRun);
    QVERIFY(!run.options.acceptNewHostKeys);
    QCOMPARE(run.hosts(), (QStringList{QStringLiteral("nas"), QStringLiteral("k3s-a"), QStringLiteral("puffer"), QStringLiteral("cloudgw")}));
    // Real targets from the planner: puffer is reached on its ssh port, with its four files
    // (wg0.conf, hostname.wg0, the pf rules of an exit gateway, the /etc/hosts block).
    const DeployTarget &puffer = run.plan.targets[2];
    QCOMPARE(puffer.port, 2222);
    QCOMPARE(puffer.address, QStringLiteral("puffer.puffer.example.org"));
    QCOMPARE(std::count_if(puffer.files.cbegin(), puffer.files.cend(),
                           [](const DeployTarget::File &file) { return !HostJobs::isJobPath(file.path); }),
             4);
    // and the paths of the jobs (re-resolution) it has none of, empty: removed if there.
    for (const DeployTarget::File &file : puffer.files)
        QVERIFY(!HostJobs::isJobPath(file.path) || file.content.isEmpty());

    QTRY_VERIFY(!dialog.isRunning());
    const QString shown = dialog.findChild<QPlainTextEdit *>(QStringLiteral("diffView"))->toPlainText();
    QVERIFY2(shown.contains(QLatin1String("== nas: would be updated (dry run)")), qPrintable(shown));
    QVERIFY(shown.contains(QLatin1String("-Address = 10.77.0.9/24, fd77:77::20/64\n+Address = 10.77.0.20/24, fd77:77::20/64")));
    for (const QString &host : {QStringLiteral("k3s-a"), QStringLiteral("puffer"), QStringLiteral("cloudgw")})
        QVERIFY2(shown.contains(QStringLiteral("== %1: unchanged").arg(host)), qPrintable(shown));
    QVERIFY(!shown.contains(QLatin1String("== k3s-b")));
    QCOMPARE(row(dialog, QStringLiteral("nas"))->text(3), QStringLiteral("would be updated (dry run)"));
    QCOMPARE(row(dialog, QStringLiteral("k3s-b"))->text(3), QStringLiteral("left out"));
    QCOMPARE(overall(dialog), QStringLiteral("dry run: 1 of 4 hosts would be switched, 6 links would be verified; 4 links wait for hosts left out"));
    // The plan says what a deploy would do, the restart of nas (its address) included.
    const QString plan = dialog.findChild<QPlainTextEdit *>(QStringLiteral("planView"))->toPlainText();
    QVERIFY2(plan.contains(QLatin1String("Hosts to switch (1): nas (restart)")), qPrintable(plan));
    QVERIFY(plan.contains(QLatin1String("Unchanged (3): k3s-a, puffer, cloudgw")));
    QVERIFY(plan.contains(QLatin1String("nas <-> k3s-b (k3s-b is left out of this deploy)")));
    QVERIFY(plan.contains(QLatin1String("nas <-> puffer  (from nas to 10.77.0.1, fd77:77::1)")));
    for (const FakeFleet::Host &host : std::as_const(m_fleet->hosts))
        QCOMPARE(host.switches, 0);
}

void tst_DeployDialog::diffColoursReadOnBothPalettes_data()
{
    QTest::addColumn<QColor>("base");
    QTest::newRow("light") << QColor(Qt::white);
    QTest::newRow("dark") << QColor(30, 30, 30);
}

void tst_DeployDialog::diffColoursReadOnBothPalettes()
{
    QFETCH(QColor, base);
    bringUp([](QByteArray &nas) { nas.replace("Address = 10.77.0.20/24", "Address = 10.77.0.9/24"); });
    DeployDialog dialog(m_document.get(), m_deployer.get());
    QPalette palette = dialog.palette();
    palette.setColor(QPalette::Base, base);
    palette.setColor(QPalette::Text, base.lightness() < 128 ? Qt::white : Qt::black);
    dialog.setPalette(palette);
    dialog.show();
    dialog.showChanges();
    QTRY_VERIFY(!dialog.isRunning());

    auto *view = dialog.findChild<QPlainTextEdit *>(QStringLiteral("diffView"));
    const auto colourOf = [view](const QString &line) -> QColor {
        for (QTextBlock block = view->document()->begin(); block.isValid(); block = block.next()) {
            if (block.text() == line && !block.layout()->formats().isEmpty())
                return block.layout()->formats().front().format.foreground().color();
        }
        return {};
    };
    const QColor added = colourOf(QStringLiteral("+Address = 10.77.0.20/24, fd77:77::20/64"));
    const QColor removed = colourOf(QStringLiteral("-Address = 10.77.0.9/24, fd77:77::20/64"));
    QVERIFY(added.isValid() && removed.isValid());
    QVERIFY(added != removed);
    QVERIFY(added.green() > added.red() && removed.red() > removed.green()); // green and red
    // Far enough from the background to read: dark text on light, light text on dark.
    for (const QColor &colour : {added, removed})
        QVERIFY2(std::abs(colour.lightness() - base.lightness()) > 80,
                 qPrintable(QStringLiteral("%1 on %2").arg(colour.name(), base.name())));
}

void tst_DeployDialog::uncheckedHostIsLeftOut()
{
    DeployDialog dialog(m_document.get(), m_deployer.get());
    dialog.show();
    dialog.findChild<QSpinBox *>(QStringLiteral("confirmTimeout"))->setValue(120);
    dialog.findChild<QSpinBox *>(QStringLiteral("jobs"))->setValue(3);
    dialog.findChild<QLineEdit *>(QStringLiteral("knownHosts"))->setText(m_dir->filePath(QStringLiteral("known_hosts")));
    row(dialog, QStringLiteral("puffer"))->setCheckState(0, Qt::Unchecked);
    QTest::mouseClick(dialog.findChild<QPushButton *>(QStringLiteral("deployButton")), Qt::LeftButton);
    QCOMPARE(m_deployer->runs.size(), 1);
    const FakeDeployer::Run &run = m_deployer->runs.back();
    QCOMPARE(run.hosts(), (QStringList{QStringLiteral("nas"), QStringLiteral("k3s-a"), QStringLiteral("k3s-b"), QStringLiteral("cloudgw")}));
    QVERIFY(!run.options.dryRun);
    QVERIFY(!run.options.acceptNewHostKeys);
    QCOMPARE(run.options.confirmTimeout, 120);
    QCOMPARE(run.options.verifyTimeout, 30);
    QCOMPARE(run.options.jobs, 3);
    QCOMPARE(run.options.knownHostsFile, m_dir->filePath(QStringLiteral("known_hosts")));
    QTRY_VERIFY(!dialog.isRunning());
    QCOMPARE(dialog.report().verdict, DeployReport::Verdict::Confirmed);
    QCOMPARE(dialog.report().waiting.size(), 4); // puffer's links to the four
    QCOMPARE(m_fleet->hosts[QStringLiteral("puffer")].switches, 0);
    const QString summary = dialog.findChild<QTextEdit *>(QStringLiteral("summary"))->toPlainText();
    QVERIFY2(summary.contains(QLatin1String("Waits: nas <-> puffer (puffer is left out of this deploy)")), qPrintable(summary));
}

void tst_DeployDialog::deployShowsPhasesLinksAndVerdict()
{
    m_fleet->hold = true; // the hosts answer once the test has looked at the running dialog
    DeployDialog dialog(m_document.get(), m_deployer.get());
    QSignalSpy checked(&dialog, &DeployDialog::linkChecked);
    dialog.show();
    auto *deployButton = dialog.findChild<QPushButton *>(QStringLiteral("deployButton"));
    auto *cancelButton = dialog.findChild<QPushButton *>(QStringLiteral("cancelButton"));
    QVERIFY(!cancelButton->isEnabled());
    QTest::mouseClick(deployButton, Qt::LeftButton);
    QVERIFY(dialog.isRunning());
    auto *phase = dialog.findChild<QLabel *>(QStringLiteral("phase"));
    QTRY_COMPARE(phase->text(), QStringLiteral("Phase: prepare (5 hosts)"));
    QVERIFY(!deployButton->isEnabled());
    QVERIFY(cancelButton->isEnabled());
    QVERIFY(row(dialog, QStringLiteral("nas"))->isDisabled()); // the checks stay as they were during a run
    auto *links = dialog.findChild<QTreeWidget *>(QStringLiteral("linkList"));
    QCOMPARE(links->topLevelItemCount(), 10); // from the plan, before any host answers
    QCOMPARE(links->topLevelItem(0)->text(2), QStringLiteral("waiting"));
    m_fleet->hold = false;

    QTRY_VERIFY(!dialog.isRunning());
    QCOMPARE(overall(dialog), QStringLiteral("confirmed: 5 hosts, 10 links verified (5 switched, 0 unchanged); re-import laptop, phone"));
    QCOMPARE(phase->text(), QStringLiteral("Phase: done"));
    for (int i = 0; i < links->topLevelItemCount(); ++i)
        QCOMPARE(links->topLevelItem(i)->text(2), QStringLiteral("ok"));
    QCOMPARE(checked.size(), 10); // the canvas colours every link as it verifies
    QVERIFY(checked.front().at(2).toBool());
    auto *list = dialog.findChild<QTreeWidget *>(QStringLiteral("hostList"));
    QTreeWidgetItem *nas = row(dialog, QStringLiteral("nas"));
    auto *bar = qobject_cast<QProgressBar *>(list->itemWidget(nas, 1));
    QCOMPARE(bar->value(), bar->maximum());
    QCOMPARE(nas->text(3), QStringLiteral("updated: switched and confirmed"));
    QCOMPARE(row(dialog, QStringLiteral("phone"))->text(3), QStringLiteral("re-import its config: its QR code / Configs changed"));
    const QString log = dialog.findChild<QPlainTextEdit *>(QStringLiteral("log"))->toPlainText();
    for (const char *name : {"prepare", "switch", "verify", "confirm"})
        QVERIFY2(log.contains(QRegularExpression(QStringLiteral("\\] == %1").arg(QLatin1String(name)))), qPrintable(log));
    QVERIFY(log.contains(QRegularExpression(QStringLiteral("\\[\\d\\d:\\d\\d:\\d\\d\\] link nas <-> puffer: ok"))));
    const QString summary = dialog.findChild<QTextEdit *>(QStringLiteral("summary"))->toPlainText();
    QVERIFY(summary.contains(QLatin1String("Re-import phone's config")));
    QVERIFY(deployButton->isEnabled());
    QVERIFY(!cancelButton->isEnabled());
    QVERIFY(!nas->isDisabled());

    // Again: nothing changed, nothing switched.
    dialog.deploy();
    QTRY_VERIFY(!dialog.isRunning());
    QCOMPARE(overall(dialog), QStringLiteral("unchanged: 5 hosts, nothing to switch"));
    QCOMPARE(m_fleet->hosts[QStringLiteral("nas")].switches, 1);
}

void tst_DeployDialog::failedLinkRollsBackEveryHost()
{
    bringUp();
    QString error;
    QVERIFY(m_document->rotateKeys(m_document->idOf(QStringLiteral("puffer")), &error));
    const auto plan = m_document->deployPlan({}, &error);
    m_fleet->hosts[QStringLiteral("puffer")].blockedWhileRunning = plan->targets[3].files[0].content;
    const QByteArray pufferBefore = m_fleet->live(QStringLiteral("puffer")).front();
    DeployDialog dialog(m_document.get(), m_deployer.get());
    QSignalSpy checked(&dialog, &DeployDialog::linkChecked);
    dialog.show();
    dialog.findChild<QSpinBox *>(QStringLiteral("confirmTimeout"))->setValue(20); // verification: 10 s at most
    dialog.deploy();
    QTRY_VERIFY_WITH_TIMEOUT(!dialog.isRunning(), 20000);
    QVERIFY2(overall(dialog).startsWith(QLatin1String("rolled back: 5 hosts; link nas <-> puffer had no reply")), qPrintable(overall(dialog)));
    QVERIFY(overall(dialog).endsWith(QLatin1String("previous links: 10 of 10 work again")));
    for (const QString &host : SshHosts)
        QVERIFY2(row(dialog, host)->text(3).startsWith(QLatin1String("rolled back: previous config restored")), qPrintable(host));
    QCOMPARE(m_fleet->live(QStringLiteral("puffer")).front(), pufferBefore);
    const auto failed = std::count_if(checked.cbegin(), checked.cend(), [](const QList<QVariant> &args) { return !args.at(2).toBool(); });
    QCOMPARE(failed, 4); // puffer's links, drawn as down
    // The rotation stays pending: the store still says what the hosts run.
    QCOMPARE(m_document->keys().pendingKeyIds(), QStringList{QStringLiteral("puffer")});
    QVERIFY(dialog.findChild<QPlainTextEdit *>(QStringLiteral("log"))->toPlainText().contains(QLatin1String("still pending")));
}

void tst_DeployDialog::hostFailingToPrepareSwitchesNothing()
{
    bringUp();
    QString error;
    QVERIFY(m_document->rotateKeys(m_document->idOf(QStringLiteral("k3s-a")), &error));
    m_fleet->hosts[QStringLiteral("puffer")].failConnect
        = DeployFailure{DeployStep::Auth, DeployFailure::Problem::Auth, QStringLiteral("authentication refused for ops")};
    DeployDialog dialog(m_document.get(), m_deployer.get());
    dialog.show();
    dialog.deploy();
    QTRY_VERIFY(!dialog.isRunning());
    QCOMPARE(overall(dialog), QStringLiteral("nothing switched: puffer failed to prepare (authenticate: authentication refused for ops)"));
    QVERIFY(row(dialog, QStringLiteral("puffer"))->text(3).startsWith(QLatin1String("failed: authentication refused")));
    QVERIFY(row(dialog, QStringLiteral("nas"))->text(3).startsWith(QLatin1String("not switched")));
    // Coloured by outcome: the failed host apart from those left as they were.
    QVERIFY(row(dialog, QStringLiteral("puffer"))->foreground(3).color() != row(dialog, QStringLiteral("nas"))->foreground(3).color());
    for (const FakeFleet::Host &host : std::as_const(m_fleet->hosts))
        QCOMPARE(host.switches, 0);
}

void tst_DeployDialog::rotationFromTheWindowIsDeployedAndSettled()
{
    bringUp();
    MainWindow window(nullptr, m_deployer.get());
    QString error;
    QVERIFY(window.openFile(m_dir->filePath(QStringLiteral("homelab-mesh.yaml"))));
    MeshDocument *document = window.document();
    QStringList asked;
    answerBoxes(&window, QStringLiteral("rotateKeysBox"), QMessageBox::Yes, &asked);
    QAction *rotate = window.action(QStringLiteral("rotateKeys"));
    QVERIFY(rotate);
    QVERIFY(!rotate->isEnabled()); // nothing selected
    window.scene()->selectHost(document->idOf(QStringLiteral("cloudgw")));
    QVERIFY(rotate->isEnabled());
    const QString before = document->keys().publicKey(QStringLiteral("cloudgw"));
    rotate->trigger();
    QCOMPARE(asked.size(), 1);
    QCOMPARE(document->keys().runningPublicKey(QStringLiteral("cloudgw")), before);
    QVERIFY(document->keys().publicKey(QStringLiteral("cloudgw")) != before);
    KeyStore onDisk; // pending, and kept: a crash now loses nothing
    QVERIFY(onDisk.load(m_dir->filePath(QStringLiteral("homelab-mesh.keys")), &error));
    QCOMPARE(onDisk.pendingKeyIds(), QStringList{QStringLiteral("cloudgw")});

    window.action(QStringLiteral("deploy"))->trigger();
    DeployDialog *dialog = window.deployDialog();
    dialog->deploy();
    QTRY_VERIFY(!dialog->isRunning());
    QCOMPARE(dialog->report().verdict, DeployReport::Verdict::Confirmed);
    QCOMPARE(dialog->report().reimport, (QStringList{QStringLiteral("laptop"), QStringLiteral("phone")})); // cloudgw's peers by hand
    QCOMPARE(dialog->report().settled, QStringList{QStringLiteral("cloudgw's key pair")});
    QVERIFY(!document->keys().hasPendingRotation());
    QVERIFY(onDisk.load(m_dir->filePath(QStringLiteral("homelab-mesh.keys")), &error));
    QVERIFY(!onDisk.hasPendingRotation());
    // The canvas shows what the deploy verified.
    LinkItem *link = window.scene()->linkItem(document->idOf(QStringLiteral("nas")), document->idOf(QStringLiteral("cloudgw")));
    QVERIFY(link);
    QCOMPARE(link->liveState(), std::optional<LinkState>(LinkState::Alive));

    // A link's preshared key, the same way.
    answerBoxes(&window, QStringLiteral("rotatePskBox"), QMessageBox::Yes, &asked);
    window.scene()->selectLink(document->idOf(QStringLiteral("nas")), document->idOf(QStringLiteral("k3s-a")));
    QVERIFY(window.action(QStringLiteral("rotatePsk"))->isEnabled());
    window.action(QStringLiteral("rotatePsk"))->trigger();
    QCOMPARE(document->keys().pendingPresharedPairs().size(), 1);
    dialog->deploy();
    QTRY_VERIFY(!dialog->isRunning());
    QCOMPARE(dialog->report().verdict, DeployReport::Verdict::Confirmed);
    QCOMPARE(dialog->report().count(DeployResult::Outcome::Updated), 2); // nas and k3s-a only
    QVERIFY(!document->keys().hasPendingRotation());
}

void tst_DeployDialog::newKeysAreSavedBeforeDeploying()
{
    // A host added in the editor gets its keys in the store before any host is told them.
    Host added;
    added.name = QStringLiteral("k3s-c");
    added.os = QStringLiteral("Linux");
    added.ssh = SshSettings{};
    added.lan = SiteAddress{QString(), QStringLiteral("192.168.10.33")};
    added.meshInterface().ip = QStringLiteral("10.77.0.33");
    added.excludePeers = {QStringLiteral("laptop"), QStringLiteral("phone")};
    m_document->addHost(added);
    DeployDialog dialog(m_document.get(), m_deployer.get());
    dialog.deploy();
    QCOMPARE(m_deployer->runs.size(), 1);
    KeyStore onDisk;
    QString error;
    QVERIFY2(onDisk.load(m_dir->filePath(QStringLiteral("homelab-mesh.keys")), &error), qPrintable(error));
    QVERIFY(onDisk.hasPrivateKey(QStringLiteral("k3s-c")));
    QCOMPARE(onDisk.presharedKey(QStringLiteral("k3s-c"), QStringLiteral("nas")), m_document->keys().presharedKey(QStringLiteral("k3s-c"), QStringLiteral("nas")));
    QVERIFY(!onDisk.presharedKey(QStringLiteral("k3s-c"), QStringLiteral("nas")).isEmpty());
    QTRY_VERIFY(!dialog.isRunning());
}

void tst_DeployDialog::untitledProjectIsSavedFirst()
{
    const Project project = m_document->project();
    m_document->reset(project); // untitled
    QVERIFY(m_document->filePath().isEmpty());
    QStringList asked;
    DeployDialog dialog(m_document.get(), m_deployer.get());
    dialog.show();
    QTimer *declining = answerBoxes(&dialog, QStringLiteral("saveFirstBox"), QMessageBox::Cancel, &asked);

    // Declined: nothing deployed.
    dialog.deploy();
    QCOMPARE(asked.size(), 1);
    QVERIFY(m_deployer->runs.isEmpty());
    dialog.showChanges();
    QCOMPARE(asked.size(), 2);
    QVERIFY(m_deployer->runs.isEmpty());

    // Saved through the window's Save: deployed, keys beside the new file.
    delete declining;
    const QString path = m_dir->filePath(QStringLiteral("saved.yaml"));
    dialog.setSaveProject([this, path] {
        QString error;
        return m_document->save(path, &error);
    });
    answerBoxes(&dialog, QStringLiteral("saveFirstBox"), QMessageBox::Save, &asked);
    dialog.deploy();
    QCOMPARE(asked.size(), 3);
    QCOMPARE(m_deployer->runs.size(), 1);
    QVERIFY(!m_deployer->runs.back().options.dryRun);
    QVERIFY(QFile::exists(m_dir->filePath(QStringLiteral("saved.keys"))));
    QTRY_VERIFY(!dialog.isRunning());
}

void tst_DeployDialog::cancelBeforeTheSwitchSwitchesNothing()
{
    m_fleet->hold = true;
    DeployDialog dialog(m_document.get(), m_deployer.get());
    dialog.show();
    dialog.deploy();
    auto *cancelButton = dialog.findChild<QPushButton *>(QStringLiteral("cancelButton"));
    QTRY_VERIFY(cancelButton->isEnabled());
    QTest::mouseClick(cancelButton, Qt::LeftButton);
    QCOMPARE(m_deployer->cancelCalls, 1);
    QVERIFY(!cancelButton->isEnabled());
    QVERIFY(dialog.isRunning());
    QVERIFY(dialog.findChild<QPlainTextEdit *>(QStringLiteral("log"))->toPlainText().contains(QLatin1String("Cancelling")));
    m_fleet->hold = false;
    QTRY_VERIFY(!dialog.isRunning());
    QCOMPARE(dialog.report().verdict, DeployReport::Verdict::Cancelled);
    QCOMPARE(overall(dialog), QStringLiteral("cancelled: cancelled before the switch"));
    for (const FakeFleet::Host &host : std::as_const(m_fleet->hosts))
        QCOMPARE(host.switches, 0);
    QVERIFY(dialog.findChild<QPushButton *>(QStringLiteral("deployButton"))->isEnabled());
}

void tst_DeployDialog::unknownHostKeyIsOffered_data()
{
    QTest::addColumn<bool>("accept");
    QTest::addColumn<bool>("dryRun");
    QTest::newRow("accepted") << true << false;
    QTest::newRow("accepted in a dry run") << true << true;
    QTest::newRow("declined") << false << false;
}

void tst_DeployDialog::unknownHostKeyIsOffered()
{
    QFETCH(bool, accept);
    QFETCH(bool, dryRun);
    const QString fingerprint = QStringLiteral("SHA256:uNiEVLmQpr3T0bl4e+8vOo5Mh2k6cTeGJIfp1mN0H8Y");
    m_fleet->hosts[QStringLiteral("cloudgw")].unknownKey = fingerprint;
    DeployDialog dialog(m_document.get(), m_deployer.get());
    dialog.show();
    QStringList asked;
    answerBoxes(&dialog, QStringLiteral("acceptHostKeyBox"), accept ? QMessageBox::Yes : QMessageBox::No, &asked);
    dryRun ? dialog.showChanges() : dialog.deploy();
    QTRY_COMPARE(asked.size(), 1);
    QCOMPARE(asked.front(), QStringLiteral("Accept key %1 for cloudgw?").arg(fingerprint));
    if (!accept) {
        QTRY_VERIFY(dialog.findChild<QPlainTextEdit *>(QStringLiteral("log"))->toPlainText().contains(
            QLatin1String("cloudgw: host key SHA256:")));
        QCOMPARE(m_deployer->runs.size(), 1);
        QVERIFY(overall(dialog).startsWith(QLatin1String("nothing switched: cloudgw failed to prepare (host key: unknown host key")));
        return;
    }
    // The whole deploy runs again, with exactly that key accepted for that host.
    QTRY_COMPARE(m_deployer->runs.size(), 2);
    const FakeDeployer::Run &rerun = m_deployer->runs.back();
    QCOMPARE(rerun.hosts(), SshHosts);
    QCOMPARE(rerun.options.acceptedFingerprints, (QHash<QString, QString>{{QStringLiteral("cloudgw"), fingerprint}}));
    QVERIFY(!rerun.options.acceptNewHostKeys);
    QCOMPARE(rerun.options.dryRun, dryRun);
    QTRY_VERIFY(!dialog.isRunning());
    QCOMPARE(asked.size(), 1);
    QCOMPARE(dialog.results().size(), 5);
    QCOMPARE(dialog.results().value(QStringLiteral("cloudgw")).outcome, DeployResult::Outcome::Updated);
    QCOMPARE(dialog.report().verdict, dryRun ? DeployReport::Verdict::DryRun : DeployReport::Verdict::Confirmed);
}

void tst_DeployDialog::changedHostKeyIsNeverOffered()
{
    m_fleet->hosts[QStringLiteral("puffer")].failConnect = DeployFailure{
        DeployStep::HostKey, DeployFailure::Problem::HostKey,
        QStringLiteral("the host key CHANGED: it is SHA256:AAAA, ~/.ssh/known_hosts records SHA256:BBBB; refused (a changed key is "
                       "never accepted: check the host, then remove the old line from ~/.ssh/known_hosts)")};
    DeployDialog dialog(m_document.get(), m_deployer.get());
    dialog.show();
    QStringList asked;
    answerBoxes(&dialog, QString(), QMessageBox::Yes, &asked);
    dialog.deploy();
    QTRY_VERIFY(!dialog.isRunning());
    QTest::qWait(100); // time for an offer that must not come
    QVERIFY2(asked.isEmpty(), qPrintable(asked.join(QLatin1Char('\n'))));
    QCOMPARE(m_deployer->runs.size(), 1);
    const QString summary = dialog.findChild<QTextEdit *>(QStringLiteral("summary"))->toPlainText();
    QVERIFY(summary.contains(QLatin1String("the host key CHANGED")));
    QVERIFY(summary.contains(QLatin1String("nothing switched: puffer failed to prepare")));
    QVERIFY(row(dialog, QStringLiteral("puffer"))->text(3).contains(QLatin1String("refused")));
}

void tst_DeployDialog::mainWindowDeployAction()
{
    MainWindow window(nullptr, m_deployer.get());
    window.openExample();
    QAction *deploy = window.action(QStringLiteral("deploy"));
    QVERIFY(deploy);
    QVERIFY(deploy->isEnabled());
    QCOMPARE(deploy->shortcut(), QKeySequence(QStringLiteral("Ctrl+D")));
    QMenu *file = window.menuBar()->actions().front()->menu();
    QVERIFY(file->actions().contains(deploy));
    QVERIFY(window.findChild<QToolBar *>(QStringLiteral("mainToolBar"))->actions().contains(deploy));

    deploy->trigger();
    DeployDialog *dialog = window.deployDialog();
    QVERIFY(dialog);
    QVERIFY(dialog->isVisible());
    QCOMPARE(dialog->checkedHosts(), SshHosts);
    deploy->trigger(); // the same dialog, raised
    QCOMPARE(window.deployDialog(), dialog);

    // A project without SSH hosts has nothing to deploy.
    window.newProject();
    QVERIFY(!deploy->isEnabled());
    QVERIFY(!deploy->toolTip().isEmpty());
    window.openExample();
    QVERIFY(deploy->isEnabled());
}

void tst_DeployDialog::mainWindowWithoutDeployer()
{
    MainWindow window;
    window.openExample();
    QAction *deploy = window.action(QStringLiteral("deploy"));
    QVERIFY(deploy);
    QVERIFY(!deploy->isEnabled());
    QVERIFY(deploy->toolTip().contains(QLatin1String("not available")));
    deploy->trigger();
    QVERIFY(!window.deployDialog());
}

QTEST_MAIN(tst_DeployDialog)
#include "tst_deploydialog.moc"
