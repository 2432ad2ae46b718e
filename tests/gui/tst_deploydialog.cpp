// Tests of the deploy dialog driven by a scripted Deployer: hosts, dry run, deploy, cancel, host keys.
#include "deploydialog.h"
#include "deployment.h"
#include "keystore.h"
#include "mainwindow.h"
#include "meshdocument.h"
#include "projectfile.h"

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

/// A Deployer that reaches no host: it records how it was started and, from the event
/// loop, reports a few steps per host and then each host's scripted result. As
/// SshDeployer does, it counts finished hosts in a slot of its own, so finished() comes
/// from inside the last hostFinished(), before later receivers have seen that result.
class FakeDeployer : public Deployer
{
public:
    FakeDeployer()
    {
        connect(this, &Deployer::hostFinished, this, [this] {
            if (--m_pending == 0) {
                m_running = false;
                emit finished();
            }
        });
    }

    struct Run
    {
        QList<DeployTarget> targets;
        DeployOptions options;

        QStringList hosts() const
        {
            QStringList names;
            for (const DeployTarget &target : targets)
                names.append(target.host);
            return names;
        }
    };
    using Script = std::function<DeployResult(const DeployTarget &, const DeployOptions &)>;

    void start(const QList<DeployTarget> &targets, const DeployOptions &options) override
    {
        startedWhileRunning = startedWhileRunning || m_running;
        runs.append({targets, options});
        m_running = true;
        m_cancelled = false;
        m_pending = int(targets.size());
        QTimer::singleShot(0, this, [this] {
            const Run &run = runs.last();
            const QList<DeployStep> steps = run.options.dryRun
                ? QList<DeployStep>{DeployStep::Connect, DeployStep::Auth, DeployStep::Read}
                : QList<DeployStep>{DeployStep::Connect, DeployStep::Auth, DeployStep::Read, DeployStep::Upload,
                                    DeployStep::Install, DeployStep::Verify, DeployStep::Confirm};
            for (const DeployTarget &target : run.targets) {
                for (const DeployStep step : steps)
                    emit stepStarted(target.host, step, step == DeployStep::Connect ? target.address : QString());
            }
            if (!hold)
                release();
        });
    }

    void cancel() override
    {
        ++cancelCalls;
        m_cancelled = true;
    }

    bool isRunning() const override { return m_running; }

    /// Ends the running hosts: scripted results, or Cancelled after cancel().
    void release()
    {
        if (!m_running)
            return;
        QTimer::singleShot(0, this, [this] {
            const Run run = runs.last();
            for (const DeployTarget &target : run.targets) {
                DeployResult result;
                if (m_cancelled) {
                    result.host = target.host;
                    result.outcome = DeployResult::Outcome::Cancelled;
                    result.reason = QStringLiteral("cancelled before it started");
                } else if (script) {
                    result = script(target, run.options);
                }
                if (result.host.isEmpty()) {
                    result.host = target.host;
                    result.outcome = DeployResult::Outcome::Unchanged;
                    result.step = DeployStep::Done;
                    result.reason = QStringLiteral("already up to date");
                }
                emit hostFinished(result);
            }
        });
    }

    Script script;
    bool hold = false; ///< hosts report their steps, then wait for release()
    int cancelCalls = 0;
    bool startedWhileRunning = false;
    QList<Run> runs;

private:
    bool m_running = false;
    bool m_cancelled = false;
    int m_pending = 0;
};

DeployResult result(const QString &host, DeployResult::Outcome outcome, DeployStep step, const QString &reason,
                    DeployResult::Problem problem = DeployResult::Problem::None, const QString &diff = {})
{
    DeployResult r;
    r.host = host;
    r.outcome = outcome;
    r.step = step;
    r.reason = reason;
    r.problem = problem;
    r.diff = diff;
    return r;
}

const QString NasDiff = QStringLiteral("--- /usr/local/etc/wireguard/wg0.conf (on the host)\n"
                                       "+++ /usr/local/etc/wireguard/wg0.conf (generated)\n"
                                       "@@ -1,4 +1,4 @@\n"
                                       " [Interface]\n"
                                       "-Address = 10.77.0.9/24\n"
                                       "+Address = 10.77.0.20/24\n"
                                       " PrivateKey = \u2022\u2022\u2022\u2022 (hidden)");

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
    void uncheckedHostIsNotDeployed();
    void deployShowsProgressAndSummary();
    void newKeysAreSavedBeforeDeploying();
    void untitledProjectIsSavedFirst();
    void cancelStopsFurtherHosts();
    void unknownHostKeyIsOffered_data();
    void unknownHostKeyIsOffered();
    void changedHostKeyIsNeverOffered();
    void mainWindowDeployAction();
    void mainWindowWithoutDeployer();

private:
    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<MeshDocument> m_document;
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
    m_deployer = std::make_unique<FakeDeployer>();
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
    m_document.reset();
    m_dir.reset();
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
    m_deployer->script = [](const DeployTarget &target, const DeployOptions &) {
        if (target.host == QLatin1String("nas"))
            return result(target.host, DeployResult::Outcome::Updated, DeployStep::Done, QStringLiteral("would be updated (dry run)"),
                          DeployResult::Problem::None, NasDiff);
        return DeployResult();
    };
    DeployDialog dialog(m_document.get(), m_deployer.get());
    dialog.show();
    row(dialog, QStringLiteral("k3s-b"))->setCheckState(0, Qt::Unchecked);
    QTest::mouseClick(dialog.findChild<QPushButton *>(QStringLiteral("showChanges")), Qt::LeftButton);
    QCOMPARE(m_deployer->runs.size(), 1);
    const FakeDeployer::Run &run = m_deployer->runs.front();
    QVERIFY(run.options.dryRun);
    QVERIFY(!run.options.acceptNewHostKeys);
    QCOMPARE(run.hosts(), (QStringList{QStringLiteral("nas"), QStringLiteral("k3s-a"), QStringLiteral("puffer"), QStringLiteral("cloudgw")}));
    // Real targets from the planner: puffer is reached on its ssh port, with its two files.
    const DeployTarget &puffer = run.targets[2];
    QCOMPARE(puffer.port, 2222);
    QCOMPARE(puffer.address, QStringLiteral("puffer.puffer.example.org"));
    QCOMPARE(puffer.files.size(), 2);
    QVERIFY(!puffer.files.front().content.isEmpty());

    QTRY_VERIFY(!dialog.isRunning());
    const QString shown = dialog.findChild<QPlainTextEdit *>(QStringLiteral("diffView"))->toPlainText();
    QVERIFY2(shown.contains(QLatin1String("== nas: would be updated (dry run)")), qPrintable(shown));
    QVERIFY(shown.contains(QLatin1String("-Address = 10.77.0.9/24\n+Address = 10.77.0.20/24")));
    for (const QString &host : {QStringLiteral("k3s-a"), QStringLiteral("puffer"), QStringLiteral("cloudgw")})
        QVERIFY2(shown.contains(QStringLiteral("== %1: unchanged").arg(host)), qPrintable(shown));
    QVERIFY(!shown.contains(QLatin1String("k3s-b")));
    QVERIFY(dialog.findChild<QPlainTextEdit *>(QStringLiteral("diffView"))->isReadOnly());
    QCOMPARE(row(dialog, QStringLiteral("nas"))->text(3), QStringLiteral("would be updated (dry run)"));
    QVERIFY(dialog.findChild<QTextEdit *>(QStringLiteral("summary"))->toPlainText().contains(
        QLatin1String("Dry run: 1 would be updated, 3 unchanged, 0 failed")));
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
    m_deployer->script = [](const DeployTarget &target, const DeployOptions &) {
        return result(target.host, DeployResult::Outcome::Updated, DeployStep::Done, QStringLiteral("would be updated (dry run)"),
                      DeployResult::Problem::None, NasDiff);
    };
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
    const QColor added = colourOf(QStringLiteral("+Address = 10.77.0.20/24"));
    const QColor removed = colourOf(QStringLiteral("-Address = 10.77.0.9/24"));
    QVERIFY(added.isValid() && removed.isValid());
    QVERIFY(added != removed);
    QVERIFY(added.green() > added.red() && removed.red() > removed.green()); // green and red
    // Far enough from the background to read: dark text on light, light text on dark.
    for (const QColor &colour : {added, removed})
        QVERIFY2(std::abs(colour.lightness() - base.lightness()) > 80,
                 qPrintable(QStringLiteral("%1 on %2").arg(colour.name(), base.name())));
}

void tst_DeployDialog::uncheckedHostIsNotDeployed()
{
    DeployDialog dialog(m_document.get(), m_deployer.get());
    dialog.show();
    dialog.findChild<QSpinBox *>(QStringLiteral("confirmTimeout"))->setValue(120);
    dialog.findChild<QSpinBox *>(QStringLiteral("jobs"))->setValue(3);
    dialog.findChild<QLineEdit *>(QStringLiteral("knownHosts"))->setText(m_dir->filePath(QStringLiteral("known_hosts")));
    QTest::mouseClick(dialog.findChild<QPushButton *>(QStringLiteral("deployButton")), Qt::LeftButton);
    QCOMPARE(m_deployer->runs.size(), 1);
    QCOMPARE(m_deployer->runs.back().hosts(), SshHosts);
    QTRY_VERIFY(!dialog.isRunning());

    row(dialog, QStringLiteral("puffer"))->setCheckState(0, Qt::Unchecked);
    QTest::mouseClick(dialog.findChild<QPushButton *>(QStringLiteral("deployButton")), Qt::LeftButton);
    QCOMPARE(m_deployer->runs.size(), 2);
    const FakeDeployer::Run &run = m_deployer->runs.back();
    QCOMPARE(run.hosts(), (QStringList{QStringLiteral("nas"), QStringLiteral("k3s-a"), QStringLiteral("k3s-b"), QStringLiteral("cloudgw")}));
    QVERIFY(!run.options.dryRun);
    QVERIFY(!run.options.acceptNewHostKeys);
    QCOMPARE(run.options.confirmTimeout, 120);
    QCOMPARE(run.options.jobs, 3);
    QCOMPARE(run.options.knownHostsFile, m_dir->filePath(QStringLiteral("known_hosts")));
    QTRY_VERIFY(!dialog.isRunning());
}

void tst_DeployDialog::deployShowsProgressAndSummary()
{
    m_deployer->hold = true;
    m_deployer->script = [](const DeployTarget &target, const DeployOptions &) {
        if (target.host == QLatin1String("nas") || target.host == QLatin1String("cloudgw"))
            return result(target.host, DeployResult::Outcome::Updated, DeployStep::Done, QStringLiteral("3 tunnel(s) up"),
                          DeployResult::Problem::None, NasDiff);
        if (target.host == QLatin1String("k3s-b"))
            return result(target.host, DeployResult::Outcome::RolledBack, DeployStep::Rollback,
                          QStringLiteral("lost its tunnels to nas; rolled back"), DeployResult::Problem::Verification);
        if (target.host == QLatin1String("puffer"))
            return result(target.host, DeployResult::Outcome::Failed, DeployStep::Auth, QStringLiteral("authentication failed"),
                          DeployResult::Problem::Auth);
        return DeployResult();
    };
    DeployDialog dialog(m_document.get(), m_deployer.get());
    dialog.show();
    auto *deployButton = dialog.findChild<QPushButton *>(QStringLiteral("deployButton"));
    auto *cancelButton = dialog.findChild<QPushButton *>(QStringLiteral("cancelButton"));
    QVERIFY(!cancelButton->isEnabled());
    QTest::mouseClick(deployButton, Qt::LeftButton);
    QVERIFY(dialog.isRunning());

    // While the hosts work, the event loop runs: timers fire, steps arrive.
    bool fired = false;
    QTimer::singleShot(0, &dialog, [&fired] { fired = true; });
    QTRY_VERIFY(fired);
    QVERIFY(m_deployer->isRunning());
    auto *list = dialog.findChild<QTreeWidget *>(QStringLiteral("hostList"));
    QTreeWidgetItem *nas = row(dialog, QStringLiteral("nas"));
    auto *bar = qobject_cast<QProgressBar *>(list->itemWidget(nas, 1));
    QTRY_COMPARE(bar->value(), int(DeployStep::Confirm));
    QCOMPARE(nas->text(2), QStringLiteral("confirm"));
    QCOMPARE(bar->text(), QStringLiteral("confirm"));
    QVERIFY(!deployButton->isEnabled());
    QVERIFY(!dialog.findChild<QPushButton *>(QStringLiteral("showChanges"))->isEnabled());
    QVERIFY(cancelButton->isEnabled());
    QVERIFY(nas->isDisabled()); // the checks stay as they were during a run
    const QString log = dialog.findChild<QPlainTextEdit *>(QStringLiteral("log"))->toPlainText();
    QVERIFY2(log.contains(QRegularExpression(QStringLiteral("\\[\\d\\d:\\d\\d:\\d\\d\\] nas: connect nas\\.home\\.example\\.net"))),
             qPrintable(log));
    QVERIFY(log.contains(QLatin1String("puffer: upload")));

    m_deployer->release();
    QTRY_VERIFY(!dialog.isRunning());
    const QString summary = dialog.findChild<QTextEdit *>(QStringLiteral("summary"))->toPlainText();
    QVERIFY2(summary.contains(QLatin1String("2 updated, 1 unchanged, 1 rolled back, 1 failed")), qPrintable(summary));
    QVERIFY(summary.contains(QLatin1String("authentication failed")));
    QVERIFY(summary.contains(QLatin1String("rolled back")));
    QCOMPARE(dialog.findChild<QLabel *>(QStringLiteral("overall"))->text(),
             QStringLiteral("2 updated, 1 unchanged, 1 rolled back, 1 failed"));
    QCOMPARE(bar->value(), bar->maximum());
    QCOMPARE(nas->text(2), QStringLiteral("done"));
    QCOMPARE(row(dialog, QStringLiteral("puffer"))->text(2), QStringLiteral("authenticate"));
    QVERIFY(row(dialog, QStringLiteral("puffer"))->text(3).startsWith(QLatin1String("failed: authentication failed")));

    // Coloured by outcome: good ones alike, rolled back and failed apart from them and each other.
    const auto colour = [&dialog](const QString &host) { return row(dialog, host)->foreground(3).color(); };
    QCOMPARE(colour(QStringLiteral("nas")), colour(QStringLiteral("k3s-a")));
    QVERIFY(colour(QStringLiteral("k3s-b")) != colour(QStringLiteral("nas")));
    QVERIFY(colour(QStringLiteral("puffer")) != colour(QStringLiteral("nas")));
    QVERIFY(colour(QStringLiteral("puffer")) != colour(QStringLiteral("k3s-b")));
    QVERIFY(deployButton->isEnabled());
    QVERIFY(!cancelButton->isEnabled());
    QVERIFY(!nas->isDisabled());
    QCOMPARE(m_deployer->runs.size(), 1); // nothing offered, nothing re-run
}

void tst_DeployDialog::newKeysAreSavedBeforeDeploying()
{
    m_document->keys().rotate(QStringLiteral("nas"));
    QVERIFY(m_document->keys().isModified());
    const QString rotated = m_document->keys().privateKey(QStringLiteral("nas"));
    DeployDialog dialog(m_document.get(), m_deployer.get());
    dialog.deploy();
    QCOMPARE(m_deployer->runs.size(), 1);
    QVERIFY(!m_document->keys().isModified());
    KeyStore onDisk;
    QString error;
    QVERIFY2(onDisk.load(m_dir->filePath(QStringLiteral("homelab-mesh.keys")), &error), qPrintable(error));
    QCOMPARE(onDisk.privateKey(QStringLiteral("nas")), rotated);
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

    // Declined: nothing deployed. A dry run needs no keys kept, so it asks nothing.
    dialog.deploy();
    QCOMPARE(asked.size(), 1);
    QVERIFY(m_deployer->runs.isEmpty());
    dialog.showChanges();
    QCOMPARE(m_deployer->runs.size(), 1);
    QTRY_VERIFY(!dialog.isRunning());
    QCOMPARE(asked.size(), 1);

    // Saved through the window's Save: deployed, keys beside the new file.
    delete declining;
    const QString path = m_dir->filePath(QStringLiteral("saved.yaml"));
    dialog.setSaveProject([this, path] {
        QString error;
        return m_document->save(path, &error);
    });
    answerBoxes(&dialog, QStringLiteral("saveFirstBox"), QMessageBox::Save, &asked);
    dialog.deploy();
    QCOMPARE(asked.size(), 2);
    QCOMPARE(m_deployer->runs.size(), 2);
    QVERIFY(!m_deployer->runs.back().options.dryRun);
    QVERIFY(QFile::exists(m_dir->filePath(QStringLiteral("saved.keys"))));
    QTRY_VERIFY(!dialog.isRunning());
}

void tst_DeployDialog::cancelStopsFurtherHosts()
{
    m_deployer->hold = true;
    DeployDialog dialog(m_document.get(), m_deployer.get());
    dialog.show();
    dialog.deploy();
    auto *cancelButton = dialog.findChild<QPushButton *>(QStringLiteral("cancelButton"));
    QTRY_VERIFY(cancelButton->isEnabled());
    QTest::mouseClick(cancelButton, Qt::LeftButton);
    QCOMPARE(m_deployer->cancelCalls, 1);
    QVERIFY(!cancelButton->isEnabled());
    QVERIFY(dialog.isRunning()); // running hosts still finish or roll back
    QVERIFY(dialog.findChild<QPlainTextEdit *>(QStringLiteral("log"))->toPlainText().contains(QLatin1String("Cancelling")));
    m_deployer->release();
    QTRY_VERIFY(!dialog.isRunning());
    QCOMPARE(dialog.findChild<QLabel *>(QStringLiteral("overall"))->text(),
             QStringLiteral("0 updated, 0 unchanged, 0 rolled back, 0 failed, 5 cancelled"));
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
    m_deployer->script = [fingerprint](const DeployTarget &target, const DeployOptions &options) {
        if (target.host == QLatin1String("cloudgw") && !options.acceptedFingerprints.contains(target.host))
            return result(target.host, DeployResult::Outcome::Failed, DeployStep::HostKey,
                          QStringLiteral("unknown host key %1; refused (accept it with --accept-new-host-keys after checking "
                                         "it with ssh-keygen -lf on the host)")
                              .arg(fingerprint),
                          DeployResult::Problem::HostKey);
        if (target.host == QLatin1String("cloudgw"))
            return result(target.host, DeployResult::Outcome::Updated, DeployStep::Done, QStringLiteral("2 tunnel(s) up"));
        return DeployResult();
    };
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
        QCOMPARE(dialog.findChild<QLabel *>(QStringLiteral("overall"))->text(),
                 QStringLiteral("0 updated, 4 unchanged, 0 rolled back, 1 failed"));
        return;
    }
    QTRY_COMPARE(m_deployer->runs.size(), 2);
    const FakeDeployer::Run &rerun = m_deployer->runs.back();
    QCOMPARE(rerun.hosts(), QStringList{QStringLiteral("cloudgw")});
    QCOMPARE(rerun.options.acceptedFingerprints.value(QStringLiteral("cloudgw")), fingerprint); // that key, no other
    QVERIFY(!rerun.options.acceptNewHostKeys);
    QCOMPARE(rerun.options.dryRun, dryRun);
    QTRY_VERIFY(!dialog.isRunning());
    QCOMPARE(asked.size(), 1);
    // The re-run's result replaces the refusal; the other hosts' results stay.
    QCOMPARE(dialog.results().size(), 5);
    QCOMPARE(dialog.results().value(QStringLiteral("cloudgw")).outcome, DeployResult::Outcome::Updated);
    QCOMPARE(dialog.findChild<QLabel *>(QStringLiteral("overall"))->text(),
             dryRun ? QStringLiteral("Dry run: 1 would be updated, 4 unchanged, 0 failed")
                    : QStringLiteral("1 updated, 4 unchanged, 0 rolled back, 0 failed"));
}

void tst_DeployDialog::changedHostKeyIsNeverOffered()
{
    m_deployer->script = [](const DeployTarget &target, const DeployOptions &) {
        if (target.host == QLatin1String("puffer"))
            return result(target.host, DeployResult::Outcome::Failed, DeployStep::HostKey,
                          QStringLiteral("the host key CHANGED: it is SHA256:AAAA, ~/.ssh/known_hosts records SHA256:BBBB; "
                                         "refused (a changed key is never accepted: check the host, then remove the old line "
                                         "from ~/.ssh/known_hosts)"),
                          DeployResult::Problem::HostKey);
        return DeployResult();
    };
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
    QVERIFY(summary.contains(QLatin1String("0 updated, 4 unchanged, 0 rolled back, 1 failed")));
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
