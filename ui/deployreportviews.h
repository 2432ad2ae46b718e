// The views of one deploy report in the deploy dialog: the plan, the changes, the links as
// they are verified, and the verdict. Each shows one side of the same report.
#pragma once

#include "deployer.h"

#include <QHash>
#include <QPlainTextEdit>
#include <QTextEdit>
#include <QTreeWidget>

#include <optional>

class QSyntaxHighlighter;

/// Colours of results, chosen to read well on the widget's own background, light or dark.
namespace DeployTone {

enum class Tone { Good, Warn, Bad, Hunk };

QColor colour(Tone tone, const QPalette &palette);
std::optional<Tone> ofOutcome(DeployResult::Outcome outcome);
std::optional<Tone> ofVerdict(DeployReport::Verdict verdict);
Tone ofLink(LinkCheck::Result result);

} // namespace DeployTone

/// The plan: which hosts switch (or are read), which are unchanged, which hosts installed
/// by hand must import their config again, and which links are verified.
class DeployPlanView : public QPlainTextEdit
{
    Q_OBJECT

public:
    explicit DeployPlanView(QWidget *parent = nullptr);
    /// \a plan, before the hosts were read (\a prepared null) or after.
    void showPlan(const DeployPlan &plan, const DeployReport *prepared);
};

/// What a deploy changes on each host, as unified diffs with keys hidden, in colour.
class DeployChangesView : public QPlainTextEdit
{
    Q_OBJECT

public:
    explicit DeployChangesView(QWidget *parent = nullptr);
    /// The results of the hosts in \a order (those that have one).
    void showChanges(const QStringList &order, const QHash<QString, DeployResult> &results);

protected:
    void changeEvent(QEvent *event) override;

private:
    QSyntaxHighlighter *m_highlighter;
};

/// Every link the deploy verifies, with the end that pings and its result as it arrives.
class DeployLinksView : public QTreeWidget
{
    Q_OBJECT

public:
    enum Column { NameColumn, FromColumn, ResultColumn, DetailColumn };

    explicit DeployLinksView(QWidget *parent = nullptr);
    /// The links of a new run, each waiting.
    void setLinks(const QList<DeployLink> &links);
    /// A link's check, as it arrives or in the final report (\a pendingToo: a pending one
    /// replaces what is shown).
    void showCheck(const LinkCheck &check, bool pendingToo = true);

private:
    QTreeWidgetItem *itemFor(const DeployLink &link) const;
};

/// The verdict: one line, then every host's result and every link's, and what is left to
/// do (re-imports, waiting links, settled rotations).
class DeployVerdictView : public QTextEdit
{
    Q_OBJECT

public:
    explicit DeployVerdictView(QWidget *parent = nullptr);
    void showReport(const DeployReport &report);
    /// Shows nothing, as before a run.
    void clearReport();

protected:
    void changeEvent(QEvent *event) override;

private:
    std::optional<DeployReport> m_report; ///< shown, for colouring it again
};
