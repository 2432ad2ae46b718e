// The deploy dialog: the plan, each phase of the fleet transaction, every link's check, one verdict.
#include "deploydialog.h"

#include "deployreportviews.h"

#include "diagnostic.h"
#include "keystore.h"
#include "meshdocument.h"

#include <QDir>
#include <QEvent>
#include <QFileDialog>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QRegularExpression>
#include <QSpinBox>
#include <QSplitter>
#include <QSyntaxHighlighter>
#include <QTabWidget>
#include <QTextEdit>
#include <QTime>
#include <QTimer>
#include <QToolButton>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace {

using DeployTone::Tone;

constexpr int HostRole = Qt::UserRole;

QString timestamp()
{
    return QTime::currentTime().toString(QStringLiteral("HH:mm:ss"));
}

} // namespace

DeployDialog::DeployDialog(MeshDocument *document, Deployer *deployer, QWidget *parent)
    : QDialog(parent)
    , m_document(document)
    , m_deployer(deployer)
{
    setObjectName(QStringLiteral("deployDialog"));
    setWindowTitle(tr("Deploy"));
    setModal(false);

    auto *intro = new QLabel(tr("Deploys the checked hosts as one transaction: every host is read and checks its new config "
                                "first; then all of them switch, every link is verified by a ping through the tunnel, and "
                                "all are confirmed \u2014 or all go back to their previous config. Each host also rolls back "
                                "by itself unless confirmed in time. \u201cShow changes\u201d only reads the hosts."),
                             this);
    intro->setWordWrap(true);

    m_hostList = new QTreeWidget(this);
    m_hostList->setObjectName(QStringLiteral("hostList"));
    m_hostList->setRootIsDecorated(false);
    m_hostList->setUniformRowHeights(true);
    m_hostList->setSelectionMode(QAbstractItemView::NoSelection);
    m_hostList->setHeaderLabels({tr("Host"), tr("Progress"), tr("Step"), tr("Result")});
    m_hostList->header()->setStretchLastSection(true);
    m_hostList->setColumnWidth(HostColumn, 160);
    m_hostList->setColumnWidth(ProgressColumn, 140);
    m_hostList->setColumnWidth(StepColumn, 170);

    const QFont mono = QFontDatabase::systemFont(QFontDatabase::FixedFont);
    auto textView = [&](const QString &name, const QString &placeholder) {
        auto *view = new QPlainTextEdit(this);
        view->setObjectName(name);
        view->setReadOnly(true);
        view->setFont(mono);
        view->setLineWrapMode(QPlainTextEdit::NoWrap);
        view->setPlaceholderText(placeholder);
        return view;
    };
    m_planView = new DeployPlanView(this);
    m_diffView = new DeployChangesView(this);
    m_linkList = new DeployLinksView(this);
    m_log = textView(QStringLiteral("log"), QString());
    m_log->setMaximumBlockCount(5000);
    m_summary = new DeployVerdictView(this);
    m_tabs = new QTabWidget(this);
    m_tabs->setObjectName(QStringLiteral("deployTabs"));
    m_tabs->addTab(m_planView, tr("Plan"));
    m_tabs->addTab(m_diffView, tr("Changes"));
    m_tabs->addTab(m_linkList, tr("Links"));
    m_tabs->addTab(m_log, tr("Log"));
    m_tabs->addTab(m_summary, tr("Summary"));

    auto *splitter = new QSplitter(Qt::Vertical, this);
    splitter->addWidget(m_hostList);
    splitter->addWidget(m_tabs);
    splitter->setStretchFactor(0, 2);
    splitter->setStretchFactor(1, 3);
    splitter->setChildrenCollapsible(false);

    // Options, as the command line has them.
    m_knownHosts = new QLineEdit(this);
    m_knownHosts->setObjectName(QStringLiteral("knownHosts"));
    m_knownHosts->setPlaceholderText(QStringLiteral("~/.ssh/known_hosts"));
    m_knownHosts->setClearButtonEnabled(true);
    auto *browse = new QToolButton(this);
    browse->setText(tr("…"));
    browse->setToolTip(tr("Choose the known_hosts file"));
    connect(browse, &QToolButton::clicked, this, [this] {
        const QString start = m_knownHosts->text().isEmpty() ? QDir::home().filePath(QStringLiteral(".ssh")) : m_knownHosts->text();
        const QString path = QFileDialog::getOpenFileName(this, tr("known_hosts File"), start);
        if (!path.isEmpty())
            m_knownHosts->setText(path);
    });
    m_confirmTimeout = new QSpinBox(this);
    m_confirmTimeout->setObjectName(QStringLiteral("confirmTimeout"));
    m_confirmTimeout->setRange(20, 3600);
    m_confirmTimeout->setValue(DeployOptions().confirmTimeout);
    m_confirmTimeout->setSuffix(tr(" s"));
    m_confirmTimeout->setToolTip(tr("After the switch, every host rolls back to its old config by itself unless the whole "
                                    "deploy is confirmed within this time (verification takes up to half of it)."));
    m_jobs = new QSpinBox(this);
    m_jobs->setObjectName(QStringLiteral("jobs"));
    m_jobs->setRange(1, 64);
    m_jobs->setValue(DeployOptions().jobs);
    m_jobs->setToolTip(tr("How many hosts are talked to at a time."));
    auto *options = new QHBoxLayout;
    options->addWidget(new QLabel(tr("known_hosts:"), this));
    options->addWidget(m_knownHosts, 1);
    options->addWidget(browse);
    options->addSpacing(12);
    options->addWidget(new QLabel(tr("Confirm within:"), this));
    options->addWidget(m_confirmTimeout);
    options->addSpacing(12);
    options->addWidget(new QLabel(tr("Hosts at a time:"), this));
    options->addWidget(m_jobs);

    m_phase = new QLabel(this);
    m_phase->setObjectName(QStringLiteral("phase"));
    m_phaseProgress = new QProgressBar(this);
    m_phaseProgress->setObjectName(QStringLiteral("phaseProgress"));
    m_phaseProgress->setRange(0, int(DeployPhase::Done));
    m_phaseProgress->setValue(0);
    m_phaseProgress->setMaximumWidth(200);
    auto *phases = new QHBoxLayout;
    phases->addWidget(m_phase, 1);
    phases->addWidget(m_phaseProgress);

    m_overall = new QLabel(this);
    m_overall->setObjectName(QStringLiteral("overall"));
    m_overall->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_overall->setWordWrap(true);
    m_showChanges = new QPushButton(tr("Show C&hanges"), this);
    m_showChanges->setObjectName(QStringLiteral("showChanges"));
    m_showChanges->setToolTip(tr("Read the checked hosts and show what a deploy would change; nothing is changed."));
    m_deployButton = new QPushButton(tr("&Deploy"), this);
    m_deployButton->setObjectName(QStringLiteral("deployButton"));
    m_deployButton->setToolTip(tr("Switch the checked hosts to their new configs, verify every link, confirm or roll back all."));
    m_deployButton->setAutoDefault(false); // Enter never starts a deploy
    m_cancelButton = new QPushButton(tr("&Cancel"), this);
    m_cancelButton->setObjectName(QStringLiteral("cancelButton"));
    m_cancelButton->setToolTip(tr("Before the switch nothing changes; after it every switched host goes back."));
    m_cancelButton->setAutoDefault(false);
    auto *close = new QPushButton(tr("Close"), this);
    close->setObjectName(QStringLiteral("closeButton"));
    close->setAutoDefault(false);
    m_showChanges->setDefault(true);
    auto *buttons = new QHBoxLayout;
    buttons->addWidget(m_overall, 1);
    buttons->addWidget(m_showChanges);
    buttons->addWidget(m_deployButton);
    buttons->addWidget(m_cancelButton);
    buttons->addWidget(close);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(intro);
    layout->addWidget(splitter, 1);
    layout->addLayout(options);
    layout->addLayout(phases);
    layout->addLayout(buttons);
    resize(960, 680);

    connect(m_showChanges, &QPushButton::clicked, this, &DeployDialog::showChanges);
    connect(m_deployButton, &QPushButton::clicked, this, &DeployDialog::deploy);
    connect(m_cancelButton, &QPushButton::clicked, this, &DeployDialog::cancel);
    connect(close, &QPushButton::clicked, this, &QDialog::reject);
    connect(m_hostList, &QTreeWidget::itemChanged, this, [this](QTreeWidgetItem *item, int column) {
        if (column != HostColumn || !(item->flags() & Qt::ItemIsUserCheckable))
            return;
        const QString host = item->data(HostColumn, HostRole).toString();
        m_unchecked.removeAll(host);
        if (item->checkState(HostColumn) != Qt::Checked)
            m_unchecked.append(host);
        updateButtons();
    });

    if (m_deployer) {
        connect(m_deployer, &Deployer::phaseStarted, this, &DeployDialog::onPhaseStarted);
        connect(m_deployer, &Deployer::stepStarted, this, &DeployDialog::onStepStarted);
        connect(m_deployer, &Deployer::prepared, this, &DeployDialog::onPrepared);
        connect(m_deployer, &Deployer::linkChecked, this, &DeployDialog::onLinkChecked);
        connect(m_deployer, &Deployer::finished, this, &DeployDialog::onFinished);
    }
    connect(m_document, &MeshDocument::projectReset, this, &DeployDialog::onProjectReset);
    for (auto signal : {&MeshDocument::hostAdded, &MeshDocument::hostRemoved, &MeshDocument::hostChanged})
        connect(m_document, signal, this, [this] { rebuildHosts(false); });

    rebuildHosts(true);
}

DeployDialog::~DeployDialog()
{
    // The deployer outlives the dialog; nothing it still reports may reach this one.
    if (m_deployer)
        disconnect(m_deployer, nullptr, this, nullptr);
}

QStringList DeployDialog::checkedHosts() const
{
    QStringList names;
    for (int i = 0; i < m_hostList->topLevelItemCount(); ++i) {
        const QTreeWidgetItem *item = m_hostList->topLevelItem(i);
        if ((item->flags() & Qt::ItemIsUserCheckable) && item->checkState(HostColumn) == Qt::Checked)
            names.append(item->data(HostColumn, HostRole).toString());
    }
    return names;
}

void DeployDialog::setHostChecked(const QString &host, bool checked)
{
    if (QTreeWidgetItem *item = itemFor(host); item && (item->flags() & Qt::ItemIsUserCheckable))
        item->setCheckState(HostColumn, checked ? Qt::Checked : Qt::Unchecked);
}

void DeployDialog::rebuildHosts(bool force)
{
    QList<std::pair<QString, bool>> hosts;
    for (const Host &host : m_document->project().hosts)
        hosts.append({host.name, host.ssh.has_value()});
    if (!force && hosts == m_listed)
        return;
    if (m_running) {
        m_hostsStale = true; // the run's rows stay until it ends
        return;
    }
    m_hostsStale = false;
    m_listed = hosts;
    const QSignalBlocker blocker(m_hostList);
    m_hostList->clear();
    for (const auto &[name, ssh] : std::as_const(hosts)) {
        auto *item = new QTreeWidgetItem(m_hostList);
        item->setText(HostColumn, name);
        item->setData(HostColumn, HostRole, name);
        if (ssh) {
            item->setFlags(Qt::ItemIsEnabled | Qt::ItemIsUserCheckable);
            item->setCheckState(HostColumn, m_unchecked.contains(name) ? Qt::Unchecked : Qt::Checked);
            auto *bar = new QProgressBar;
            bar->setRange(0, int(DeployStep::Done));
            bar->setValue(0);
            bar->setTextVisible(false);
            m_hostList->setItemWidget(item, ProgressColumn, bar);
            if (const auto found = m_results.constFind(name); found != m_results.constEnd())
                showResult(item, *found);
            else if (!m_order.isEmpty() && !m_order.contains(name))
                item->setText(ResultColumn, tr("left out"));
        } else {
            // Installed by hand: listed, so nobody wonders where it went, but never deployed.
            item->setFlags(Qt::ItemNeverHasChildren);
            item->setCheckState(HostColumn, Qt::Unchecked);
            const bool reimport = m_report.reimport.contains(name);
            item->setText(ResultColumn, reimport ? tr("re-import its config: its QR code / Configs changed")
                                                 : tr("installed by hand: see its QR code / Configs"));
            if (reimport)
                item->setForeground(ResultColumn, DeployTone::colour(Tone::Warn, m_hostList->palette()));
            item->setToolTip(HostColumn, tr("%1 has no SSH settings: install its config by hand (its QR code or "
                                            "the Configs pane). Its links are not verified.").arg(name));
            item->setToolTip(ResultColumn, item->toolTip(HostColumn));
        }
    }
    updateButtons();
}

void DeployDialog::onProjectReset()
{
    if (!m_running) {
        m_results.clear();
        m_order.clear();
        m_report = {};
        m_planView->clear();
        m_diffView->clear();
        m_linkList->clear();
        m_summary->clearReport();
        m_overall->clear();
        m_phase->clear();
    }
    m_unchecked.clear();
    rebuildHosts(true);
}

void DeployDialog::showChanges()
{
    start(true, checkedHosts(), {});
}

void DeployDialog::deploy()
{
    start(false, checkedHosts(), {});
}

void DeployDialog::cancel()
{
    if (!m_running || !m_deployer || m_cancelRequested)
        return;
    m_cancelRequested = true;
    m_deployer->cancel();
    appendLog(tr("Cancelling: before the switch nothing changes; after it every switched host goes back."));
    updateButtons();
}

bool DeployDialog::start(bool dryRun, const QStringList &hosts, const QHash<QString, QString> &acceptedKeys)
{
    // An empty list would mean "every host" to the plan: never start that here.
    if (!m_deployer || m_running || m_deployer->isRunning() || hosts.isEmpty())
        return false;
    if (hasErrors(m_document->diagnostics())) {
        QMessageBox::warning(this, windowTitle(), tr("The project has errors (see Findings). Fix them before deploying."));
        return false;
    }
    if (m_document->filePath().isEmpty()) {
        QMessageBox box(QMessageBox::Information, windowTitle(),
                        tr("Save the project first: the keys the hosts are given are kept in a key store beside the "
                           "project file, and would be lost with an untitled project."),
                        QMessageBox::Save | QMessageBox::Cancel, this);
        box.setObjectName(QStringLiteral("saveFirstBox"));
        box.setDefaultButton(QMessageBox::Save);
        if (box.exec() != QMessageBox::Save || !m_saveProject || !m_saveProject() || m_document->filePath().isEmpty())
            return false;
    }
    QString error;
    const auto plan = m_document->deployPlan(hosts, &error);
    if (!plan) {
        QMessageBox::critical(this, windowTitle(), tr("Nothing deployed: %1").arg(error));
        return false;
    }
    DeployOptions options = DeployOptions::fromUser(m_knownHosts->text(), m_confirmTimeout->value(), m_jobs->value());
    options.dryRun = dryRun;
    options.acceptedFingerprints = acceptedKeys; // exactly the keys the user saw, never whatever comes next

    m_plan = *plan;
    m_report = {};
    m_results.clear();
    m_order = m_plan.hostNames();
    m_diffView->clear();
    m_summary->clearReport();
    m_overall->clear();
    for (int i = 0; i < m_hostList->topLevelItemCount(); ++i) {
        QTreeWidgetItem *item = m_hostList->topLevelItem(i);
        if (!(item->flags() & Qt::ItemIsUserCheckable))
            continue;
        const bool inRun = m_order.contains(item->data(HostColumn, HostRole).toString());
        item->setText(StepColumn, inRun ? tr("waiting") : QString());
        item->setText(ResultColumn, inRun ? QString() : tr("left out"));
        item->setToolTip(ResultColumn, QString());
        item->setForeground(ResultColumn, palette().color(QPalette::Text));
        if (QProgressBar *bar = progressFor(item->data(HostColumn, HostRole).toString())) {
            bar->setValue(0);
            bar->setTextVisible(false);
        }
    }
    m_planView->showPlan(m_plan, nullptr);
    m_linkList->setLinks(m_plan.links);
    m_running = true;
    m_dryRun = dryRun;
    m_cancelRequested = false;
    m_phaseProgress->setValue(0);
    m_phase->setText(dryRun ? tr("Reading %n host(s)…", nullptr, int(m_order.size()))
                            : tr("Deploying to %n host(s) as one transaction…", nullptr, int(m_order.size())));
    appendLog((dryRun ? tr("Dry run of %1") : tr("Deploy to %1")).arg(m_order.join(QStringLiteral(", ")))
              + (acceptedKeys.isEmpty() ? QString() : tr(", accepting the host keys confirmed for them")));
    m_tabs->setCurrentWidget(dryRun ? static_cast<QWidget *>(m_diffView) : m_log);
    updateButtons();
    m_deployer->start(m_plan, options);
    return true;
}

void DeployDialog::onPhaseStarted(DeployPhase phase, const QString &detail)
{
    if (!m_running)
        return;
    const QString name = deployPhaseName(phase);
    if (phase != DeployPhase::Done) {
        m_phase->setText(tr("Phase: %1%2").arg(name, detail.isEmpty() ? QString() : QStringLiteral(" (%1)").arg(detail)));
        m_phaseProgress->setValue(int(phase));
        appendLog(tr("== %1%2").arg(name, detail.isEmpty() ? QString() : QStringLiteral(": ") + detail));
    }
    if (phase == DeployPhase::Verify)
        m_tabs->setCurrentWidget(m_linkList);
}

void DeployDialog::onStepStarted(const QString &host, DeployStep step, const QString &detail)
{
    if (!m_running)
        return;
    const QString name = deployStepName(step);
    if (QTreeWidgetItem *item = itemFor(host))
        item->setText(StepColumn, detail.isEmpty() ? name : QStringLiteral("%1 (%2)").arg(name, detail));
    if (QProgressBar *bar = progressFor(host)) {
        bar->setValue(int(step));
        bar->setFormat(name);
        bar->setTextVisible(true);
    }
    appendLog(QStringLiteral("%1: %2%3").arg(host, name, detail.isEmpty() ? QString() : QStringLiteral(" ") + detail));
}

void DeployDialog::onPrepared(const DeployReport &report)
{
    if (!m_running)
        return;
    m_report = report;
    for (const DeployResult &result : report.hosts) {
        m_results.insert(result.host, result);
        if (QTreeWidgetItem *item = itemFor(result.host)) {
            if (result.outcome == DeployResult::Outcome::Failed || result.outcome == DeployResult::Outcome::Unchanged)
                showResult(item, result);
            else
                item->setText(ResultColumn, result.changes ? tr("ready to switch") : QString());
        }
    }
    m_planView->showPlan(m_plan, &report);
    m_diffView->showChanges(m_order, m_results);
    for (const QString &host : report.reimport)
        appendLog(tr("%1: re-import its config (QR code / file): it changes with this deploy").arg(host));
}

void DeployDialog::onLinkChecked(const LinkCheck &check)
{
    if (!m_running)
        return;
    m_linkList->showCheck(check);
    appendLog(QStringLiteral("link %1: %2 (%3)").arg(check.link.name(), linkResultName(check.result), check.detail));
    emit linkChecked(check.link.a, check.link.b, check.ok(), check.detail);
}

void DeployDialog::onFinished(const DeployReport &report)
{
    if (!m_running)
        return;
    m_running = false;
    m_report = report;
    m_results.clear();
    for (const DeployResult &result : report.hosts) {
        m_results.insert(result.host, result);
        if (QTreeWidgetItem *item = itemFor(result.host))
            showResult(item, result);
    }
    for (const LinkCheck &check : report.links)
        m_linkList->showCheck(check, false);
    if (report.verdict == DeployReport::Verdict::Confirmed) {
        QString error;
        m_report.settled = m_document->settleRotations(m_order, &error);
        if (!error.isEmpty())
            appendLog(tr("The deploy was confirmed, but the key store could not record it: %1").arg(error));
    } else if (report.verdict == DeployReport::Verdict::RolledBack && m_document->keys().hasPendingRotation()) {
        appendLog(tr("The key rotation is still pending: the hosts run the previous keys (deploy again to retry)."));
    }
    for (const QString &settled : std::as_const(m_report.settled))
        appendLog(tr("Settled: %1").arg(settled));
    for (const LinkCheck &check : report.previousLinks)
        appendLog(QStringLiteral("previous link %1: %2 (%3)").arg(check.link.name(), linkResultName(check.result), check.detail));
    m_phaseProgress->setValue(m_phaseProgress->maximum());
    m_phase->setText(tr("Phase: done"));
    m_diffView->showChanges(m_order, m_results);
    showVerdict();
    appendLog(m_overall->text());
    m_tabs->setCurrentWidget(m_dryRun ? static_cast<QWidget *>(m_diffView) : m_summary);
    rebuildHosts(true); // after a run the hosts may have changed; hand-installed ones get their re-import note
    updateButtons();
    emit runFinished(m_report);
    // Outside the deployer's signal: the questions below run an event loop of their own.
    if (!m_cancelRequested)
        QTimer::singleShot(0, this, &DeployDialog::offerHostKeys);
}

void DeployDialog::offerHostKeys()
{
    if (m_running)
        return;
    QHash<QString, QString> accepted; // host -> the fingerprint the user accepted
    for (const QString &host : std::as_const(m_order)) {
        const DeployResult result = m_results.value(host);
        const QString fingerprint = unknownHostKey(result.problem, result.reason);
        if (fingerprint.isEmpty())
            continue;
        QMessageBox box(QMessageBox::Question, tr("Unknown Host Key"), tr("Accept key %1 for %2?").arg(fingerprint, host),
                        QMessageBox::Yes | QMessageBox::No, this);
        box.setObjectName(QStringLiteral("acceptHostKeyBox"));
        box.setInformativeText(tr("%1 is not in known_hosts yet. Accept the key only if it is the one the host shows "
                                  "(ssh-keygen -lf on the host's key, read on its console). Accepting records it and "
                                  "runs the deploy again.")
                                   .arg(host));
        box.setDefaultButton(QMessageBox::No);
        if (box.exec() == QMessageBox::Yes)
            accepted.insert(host, fingerprint);
        else
            appendLog(tr("%1: host key %2 not accepted").arg(host, fingerprint));
    }
    if (!accepted.isEmpty())
        start(m_dryRun, m_order, accepted);
}

void DeployDialog::showResult(QTreeWidgetItem *item, const DeployResult &result)
{
    item->setText(StepColumn, deployStepName(result.step));
    QString text = deployOutcomeName(result.outcome);
    if (m_dryRun && result.outcome == DeployResult::Outcome::Updated)
        text = tr("would be updated");
    if (!result.reason.isEmpty())
        text = result.reason.startsWith(text) ? result.reason : QStringLiteral("%1: %2").arg(text, result.reason);
    item->setText(ResultColumn, text);
    item->setToolTip(ResultColumn, item->text(ResultColumn));
    const auto tone = DeployTone::ofOutcome(result.outcome);
    item->setForeground(ResultColumn, tone ? DeployTone::colour(*tone, m_hostList->palette()) : palette().color(QPalette::Text));
    if (QProgressBar *bar = progressFor(result.host)) {
        if (result.succeeded())
            bar->setValue(bar->maximum());
        bar->setFormat(deployOutcomeName(result.outcome));
        bar->setTextVisible(true);
    }
}

void DeployDialog::showVerdict()
{
    const auto tone = DeployTone::ofVerdict(m_report.verdict);
    m_overall->setText(m_report.summary());
    QPalette palette = m_overall->palette();
    palette.setColor(QPalette::WindowText, tone ? DeployTone::colour(*tone, this->palette()) : this->palette().color(QPalette::WindowText));
    m_overall->setPalette(palette);
    m_summary->showReport(m_report);
}

void DeployDialog::updateButtons()
{
    const bool idle = m_deployer && !m_running;
    const bool any = !checkedHosts().isEmpty();
    m_showChanges->setEnabled(idle && any);
    m_deployButton->setEnabled(idle && any);
    m_cancelButton->setEnabled(m_running && !m_cancelRequested);
    for (int i = 0; i < m_hostList->topLevelItemCount(); ++i) {
        QTreeWidgetItem *item = m_hostList->topLevelItem(i);
        if (!(item->flags() & Qt::ItemIsUserCheckable))
            continue;
        // The checks choose the next run; during one they stay as they were.
        const QSignalBlocker blocker(m_hostList);
        item->setDisabled(m_running);
    }
    if (!m_deployer) {
        m_showChanges->setToolTip(tr("Deploying is not available here."));
        m_deployButton->setToolTip(m_showChanges->toolTip());
    }
}

void DeployDialog::recolour()
{
    for (int i = 0; i < m_hostList->topLevelItemCount(); ++i) {
        QTreeWidgetItem *item = m_hostList->topLevelItem(i);
        if (const auto found = m_results.constFind(item->data(HostColumn, HostRole).toString()); found != m_results.constEnd()) {
            const auto tone = DeployTone::ofOutcome(found->outcome);
            item->setForeground(ResultColumn, tone ? DeployTone::colour(*tone, m_hostList->palette()) : palette().color(QPalette::Text));
        }
    }
    if (!m_report.hosts.isEmpty())
        showVerdict();
}

void DeployDialog::changeEvent(QEvent *event)
{
    QDialog::changeEvent(event);
    if (event->type() == QEvent::PaletteChange || event->type() == QEvent::ApplicationPaletteChange)
        recolour();
}

void DeployDialog::appendLog(const QString &line)
{
    m_log->appendPlainText(QStringLiteral("[%1] %2").arg(timestamp(), line));
}

QTreeWidgetItem *DeployDialog::itemFor(const QString &host) const
{
    for (int i = 0; i < m_hostList->topLevelItemCount(); ++i) {
        if (m_hostList->topLevelItem(i)->data(HostColumn, HostRole).toString() == host)
            return m_hostList->topLevelItem(i);
    }
    return nullptr;
}

QProgressBar *DeployDialog::progressFor(const QString &host) const
{
    QTreeWidgetItem *item = itemFor(host);
    return item ? qobject_cast<QProgressBar *>(m_hostList->itemWidget(item, ProgressColumn)) : nullptr;
}
