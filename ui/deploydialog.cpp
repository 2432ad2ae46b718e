// The deploy dialog: pick hosts, see their changes, deploy with progress, read the outcome.
#include "deploydialog.h"

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

constexpr int HostRole = Qt::UserRole;

/// Colours that read well on the widget's own background, light or dark (GitHub's
/// diff colours, which were chosen for both).
enum class Tone { Good, Warn, Bad, Hunk };

QColor toneColour(Tone tone, const QPalette &palette)
{
    const bool dark = palette.color(QPalette::Base).lightness() < 128;
    switch (tone) {
    case Tone::Good:
        return dark ? QColor(0x56, 0xd3, 0x64) : QColor(0x1a, 0x7f, 0x37);
    case Tone::Warn:
        return dark ? QColor(0xff, 0xa6, 0x57) : QColor(0xbc, 0x4c, 0x00);
    case Tone::Bad:
        return dark ? QColor(0xff, 0x7b, 0x72) : QColor(0xcf, 0x22, 0x2e);
    case Tone::Hunk:
        return dark ? QColor(0x79, 0xc0, 0xff) : QColor(0x05, 0x50, 0xae);
    }
    return palette.color(QPalette::Text);
}

std::optional<Tone> outcomeTone(DeployResult::Outcome outcome)
{
    switch (outcome) {
    case DeployResult::Outcome::Updated:
    case DeployResult::Outcome::Unchanged:
        return Tone::Good;
    case DeployResult::Outcome::RolledBack:
        return Tone::Warn;
    case DeployResult::Outcome::Failed:
        return Tone::Bad;
    case DeployResult::Outcome::Cancelled:
        return std::nullopt;
    }
    return std::nullopt;
}

/// The fingerprint of a host refused because its key is not in known_hosts yet, or
/// empty. A changed key never matches: it is not "unknown", and is never offered.
QString unknownHostKey(const DeployResult &result)
{
    if (result.problem != DeployResult::Problem::HostKey)
        return {};
    static const QRegularExpression unknown(QStringLiteral("^unknown host key (SHA256:[A-Za-z0-9+/]+=*)"));
    const auto match = unknown.match(result.reason);
    return match.hasMatch() ? match.captured(1) : QString();
}

/// Unified diff lines in colour: additions, removals, hunks; host headings in bold.
class DiffHighlighter : public QSyntaxHighlighter
{
public:
    DiffHighlighter(QTextDocument *document, QWidget *view)
        : QSyntaxHighlighter(document)
        , m_view(view)
    {
    }

protected:
    void highlightBlock(const QString &text) override
    {
        const QPalette &palette = m_view->palette();
        QTextCharFormat format;
        if (text.startsWith(QLatin1String("== "))) {
            format.setFontWeight(QFont::Bold);
        } else if (text.startsWith(QLatin1String("+++")) || text.startsWith(QLatin1String("---"))) {
            format.setFontWeight(QFont::Bold);
        } else if (text.startsWith(QLatin1Char('+'))) {
            format.setForeground(toneColour(Tone::Good, palette));
        } else if (text.startsWith(QLatin1Char('-'))) {
            format.setForeground(toneColour(Tone::Bad, palette));
        } else if (text.startsWith(QLatin1String("@@"))) {
            format.setForeground(toneColour(Tone::Hunk, palette));
        } else {
            return;
        }
        setFormat(0, int(text.size()), format);
    }

private:
    QWidget *m_view;
};

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

    auto *intro = new QLabel(tr("Deploys the configs over SSH to the checked hosts. Each host checks its new config, keeps "
                                "the old one and rolls back by itself unless the new one is confirmed in time. "
                                "\u201cShow changes\u201d only reads the hosts."),
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
    m_diffView = new QPlainTextEdit(this);
    m_diffView->setObjectName(QStringLiteral("diffView"));
    m_diffView->setReadOnly(true);
    m_diffView->setFont(mono);
    m_diffView->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_diffView->setPlaceholderText(tr("\u201cShow changes\u201d reads each checked host's config and shows here what a deploy "
                                      "would change (keys hidden)."));
    m_highlighter = new DiffHighlighter(m_diffView->document(), m_diffView);
    m_log = new QPlainTextEdit(this);
    m_log->setObjectName(QStringLiteral("log"));
    m_log->setReadOnly(true);
    m_log->setFont(mono);
    m_log->setMaximumBlockCount(5000);
    m_summary = new QTextEdit(this);
    m_summary->setObjectName(QStringLiteral("summary"));
    m_summary->setReadOnly(true);
    m_tabs = new QTabWidget(this);
    m_tabs->setObjectName(QStringLiteral("deployTabs"));
    m_tabs->addTab(m_diffView, tr("Changes"));
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
    m_confirmTimeout->setRange(10, 3600);
    m_confirmTimeout->setValue(DeployOptions().confirmTimeout);
    m_confirmTimeout->setSuffix(tr(" s"));
    m_confirmTimeout->setToolTip(tr("A host rolls back to its old config by itself unless the new one is confirmed within this time."));
    m_jobs = new QSpinBox(this);
    m_jobs->setObjectName(QStringLiteral("jobs"));
    m_jobs->setRange(1, 64);
    m_jobs->setValue(DeployOptions().jobs);
    m_jobs->setToolTip(tr("How many hosts are deployed at a time."));
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

    m_overall = new QLabel(this);
    m_overall->setObjectName(QStringLiteral("overall"));
    m_overall->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_showChanges = new QPushButton(tr("Show C&hanges"), this);
    m_showChanges->setObjectName(QStringLiteral("showChanges"));
    m_showChanges->setToolTip(tr("Read the checked hosts and show what a deploy would change; nothing is changed."));
    m_deployButton = new QPushButton(tr("&Deploy"), this);
    m_deployButton->setObjectName(QStringLiteral("deployButton"));
    m_deployButton->setToolTip(tr("Install the new configs on the checked hosts."));
    m_deployButton->setAutoDefault(false); // Enter never starts a deploy
    m_cancelButton = new QPushButton(tr("&Cancel"), this);
    m_cancelButton->setObjectName(QStringLiteral("cancelButton"));
    m_cancelButton->setToolTip(tr("Start no further hosts; those running finish or roll back."));
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
    layout->addLayout(buttons);
    resize(920, 640);

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
        connect(m_deployer, &Deployer::stepStarted, this, &DeployDialog::onStepStarted);
        connect(m_deployer, &Deployer::hostFinished, this, &DeployDialog::onHostFinished);
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
        } else {
            // Installed by hand: listed, so nobody wonders where it went, but never deployed.
            item->setFlags(Qt::ItemNeverHasChildren);
            item->setCheckState(HostColumn, Qt::Unchecked);
            item->setText(ResultColumn, tr("installed by hand: see its QR code / Configs"));
            item->setToolTip(HostColumn, tr("%1 has no SSH settings: install its config by hand (its QR code or "
                                            "the Configs pane).").arg(name));
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
        m_diffView->clear();
        m_summary->clear();
        m_overall->clear();
    }
    m_unchecked.clear();
    rebuildHosts(true);
}

void DeployDialog::showChanges()
{
    start(true, checkedHosts(), {}, true);
}

void DeployDialog::deploy()
{
    start(false, checkedHosts(), {}, true);
}

void DeployDialog::cancel()
{
    if (!m_running || !m_deployer || m_cancelRequested)
        return;
    m_cancelRequested = true;
    m_deployer->cancel();
    appendLog(tr("Cancelling: no further hosts start; those running finish or roll back."));
    updateButtons();
}

bool DeployDialog::start(bool dryRun, const QStringList &hosts, const QHash<QString, QString> &acceptedKeys, bool fresh)
{
    // An empty list would mean "every host" to Deployment::targets: never start that here.
    if (!m_deployer || m_running || m_deployer->isRunning() || hosts.isEmpty())
        return false;
    if (hasErrors(m_document->diagnostics())) {
        QMessageBox::warning(this, windowTitle(), tr("The project has errors (see Findings). Fix them before deploying."));
        return false;
    }
    if (!dryRun && m_document->filePath().isEmpty()) {
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
    const auto targets = Deployment::targets(m_document->project(), m_document->keys(), hosts, &error);
    if (!targets) {
        QMessageBox::critical(this, windowTitle(), tr("Nothing deployed: %1").arg(error));
        return false;
    }
    // New keys go to the key store before any host gets them, as MeshDocument::save does.
    if (!m_document->filePath().isEmpty() && m_document->keys().isModified()
        && !m_document->keys().save(KeyStore::pathForProject(m_document->filePath()), &error)) {
        QMessageBox::critical(this, windowTitle(), tr("Nothing deployed: %1").arg(error));
        return false;
    }

    DeployOptions options;
    options.dryRun = dryRun;
    options.acceptedFingerprints = acceptedKeys; // exactly the keys the user saw, never whatever comes next
    options.jobs = m_jobs->value();
    options.confirmTimeout = m_confirmTimeout->value();
    options.verifyTimeout = std::min(options.verifyTimeout, options.confirmTimeout / 2);
    options.knownHostsFile = m_knownHosts->text().trimmed();
    if (options.knownHostsFile.startsWith(QLatin1String("~/")))
        options.knownHostsFile = QDir::home().filePath(options.knownHostsFile.mid(2));

    if (fresh) {
        m_results.clear();
        m_order.clear();
        m_diffView->clear();
        m_summary->clear();
        for (int i = 0; i < m_hostList->topLevelItemCount(); ++i) {
            QTreeWidgetItem *item = m_hostList->topLevelItem(i);
            if (!(item->flags() & Qt::ItemIsUserCheckable))
                continue;
            item->setText(StepColumn, QString());
            item->setText(ResultColumn, QString());
            item->setToolTip(ResultColumn, QString());
            if (QProgressBar *bar = progressFor(item->data(HostColumn, HostRole).toString())) {
                bar->setValue(0);
                bar->setTextVisible(false);
            }
        }
    }
    for (const DeployTarget &target : *targets) {
        m_results.remove(target.host);
        if (!m_order.contains(target.host))
            m_order.append(target.host);
        if (QTreeWidgetItem *item = itemFor(target.host)) {
            item->setText(StepColumn, tr("waiting"));
            item->setText(ResultColumn, QString());
            item->setForeground(ResultColumn, palette().color(QPalette::Text));
        }
        if (QProgressBar *bar = progressFor(target.host)) {
            bar->setValue(0);
            bar->setTextVisible(false);
        }
    }
    QStringList names;
    for (const DeployTarget &target : *targets)
        names.append(target.host);
    m_running = true;
    m_finishing = false;
    m_dryRun = dryRun;
    m_cancelRequested = false;
    m_overall->setText(dryRun ? tr("Reading %n host(s)…", nullptr, int(names.size()))
                              : tr("Deploying to %n host(s)…", nullptr, int(names.size())));
    appendLog((dryRun ? tr("Dry run of %1") : tr("Deploy to %1")).arg(names.join(QStringLiteral(", ")))
              + (acceptedKeys.isEmpty() ? QString() : tr(", accepting the host keys confirmed for them")));
    if (!dryRun)
        m_tabs->setCurrentWidget(m_log);
    updateButtons();
    m_deployer->start(*targets, options);
    return true;
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

void DeployDialog::onHostFinished(const DeployResult &result)
{
    if (!m_running)
        return;
    m_results.insert(result.host, result);
    if (QTreeWidgetItem *item = itemFor(result.host))
        showResult(item, result);
    appendLog(QStringLiteral("%1: %2 at %3 (%4)")
                  .arg(result.host, deployOutcomeName(result.outcome), deployStepName(result.step), result.reason));
    if (m_dryRun || !result.diff.isEmpty())
        updateDiffView();
    updateSummary();
}

void DeployDialog::onFinished()
{
    // A deployer may emit finished() from inside the last hostFinished() (SshDeployer
    // counts its hosts in a slot of its own, connected before this dialog's): end the
    // run once that emission is over, so the last host's result is not lost.
    if (m_running && !m_finishing) {
        m_finishing = true;
        QMetaObject::invokeMethod(this, &DeployDialog::endRun, Qt::QueuedConnection);
    }
}

void DeployDialog::endRun()
{
    m_finishing = false;
    if (!m_running)
        return;
    m_running = false;
    updateSummary();
    appendLog(m_overall->text());
    m_tabs->setCurrentWidget(m_dryRun ? static_cast<QWidget *>(m_diffView) : m_summary);
    if (m_hostsStale)
        rebuildHosts(true);
    updateButtons();
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
        const QString fingerprint = unknownHostKey(m_results.value(host));
        if (fingerprint.isEmpty())
            continue;
        QMessageBox box(QMessageBox::Question, tr("Unknown Host Key"), tr("Accept key %1 for %2?").arg(fingerprint, host),
                        QMessageBox::Yes | QMessageBox::No, this);
        box.setObjectName(QStringLiteral("acceptHostKeyBox"));
        box.setInformativeText(tr("%1 is not in known_hosts yet. Accept the key only if it is the one the host shows "
                                  "(ssh-keygen -lf on the host's key, read on its console). Accepting records it and "
                                  "runs %1 again.")
                                   .arg(host));
        box.setDefaultButton(QMessageBox::No);
        if (box.exec() == QMessageBox::Yes)
            accepted.insert(host, fingerprint);
        else
            appendLog(tr("%1: host key %2 not accepted").arg(host, fingerprint));
    }
    if (!accepted.isEmpty())
        start(m_dryRun, accepted.keys(), accepted, false);
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
    const auto tone = outcomeTone(result.outcome);
    item->setForeground(ResultColumn, tone ? toneColour(*tone, m_hostList->palette()) : palette().color(QPalette::Text));
    if (QProgressBar *bar = progressFor(result.host)) {
        if (result.succeeded())
            bar->setValue(bar->maximum());
        bar->setFormat(deployOutcomeName(result.outcome));
        bar->setTextVisible(true);
    }
}

void DeployDialog::updateDiffView()
{
    QStringList text;
    for (const QString &host : std::as_const(m_order)) {
        const auto found = m_results.constFind(host);
        if (found == m_results.constEnd())
            continue;
        const DeployResult &result = *found;
        if (result.outcome == DeployResult::Outcome::Unchanged) {
            text.append(tr("== %1: unchanged").arg(host));
        } else if (!result.diff.isEmpty()) {
            text.append(QStringLiteral("== %1: %2").arg(host, result.reason));
            text.append(result.diff.trimmed());
        } else {
            text.append(tr("== %1: %2 at %3: %4").arg(host, deployOutcomeName(result.outcome), deployStepName(result.step), result.reason));
        }
        text.append(QString());
    }
    m_diffView->setPlainText(text.join(QLatin1Char('\n')));
}

void DeployDialog::updateSummary()
{
    int updated = 0, unchanged = 0, rolledBack = 0, failed = 0, cancelled = 0;
    QString rows;
    for (const QString &host : std::as_const(m_order)) {
        const auto found = m_results.constFind(host);
        if (found == m_results.constEnd())
            continue;
        const DeployResult &result = *found;
        switch (result.outcome) {
        case DeployResult::Outcome::Updated:
            ++updated;
            break;
        case DeployResult::Outcome::Unchanged:
            ++unchanged;
            break;
        case DeployResult::Outcome::RolledBack:
            ++rolledBack;
            break;
        case DeployResult::Outcome::Failed:
            ++failed;
            break;
        case DeployResult::Outcome::Cancelled:
            ++cancelled;
            break;
        }
        const auto tone = outcomeTone(result.outcome);
        const QString colour = (tone ? toneColour(*tone, m_summary->palette()) : m_summary->palette().color(QPalette::Text)).name();
        rows += QStringLiteral("<tr><td>%1</td><td style=\"color:%2\"><b>%3</b></td><td>%4</td><td>%5</td></tr>")
                    .arg(host.toHtmlEscaped(), colour, deployOutcomeName(result.outcome).toHtmlEscaped(),
                         deployStepName(result.step).toHtmlEscaped(), result.reason.toHtmlEscaped());
    }
    QString overall;
    if (m_dryRun) {
        overall = tr("Dry run: %1 would be updated, %2 unchanged, %3 failed").arg(updated).arg(unchanged).arg(failed);
    } else {
        overall = tr("%1 updated, %2 unchanged, %3 rolled back, %4 failed").arg(updated).arg(unchanged).arg(rolledBack).arg(failed);
    }
    if (cancelled > 0)
        overall += tr(", %1 cancelled").arg(cancelled);
    if (m_running)
        overall = tr("So far: %1").arg(overall);
    m_overall->setText(overall);
    if (rows.isEmpty()) {
        m_summary->clear();
        return;
    }
    m_summary->setHtml(QStringLiteral("<table cellspacing=\"0\" cellpadding=\"3\">"
                                      "<tr><th align=\"left\">%1</th><th align=\"left\">%2</th><th align=\"left\">%3</th>"
                                      "<th align=\"left\">%4</th></tr>%5</table><p><b>%6</b></p>")
                           .arg(tr("Host"), tr("Result"), tr("Step"), tr("Reason"), rows, overall.toHtmlEscaped()));
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
            const auto tone = outcomeTone(found->outcome);
            item->setForeground(ResultColumn, tone ? toneColour(*tone, m_hostList->palette()) : palette().color(QPalette::Text));
        }
    }
    m_highlighter->rehighlight();
    updateSummary();
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
