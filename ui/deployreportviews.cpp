// The views of one deploy report: plan, changes, links, verdict.
#include "deployreportviews.h"

#include <QEvent>
#include <QFontDatabase>
#include <QHeaderView>
#include <QSyntaxHighlighter>

namespace DeployTone {

QColor colour(Tone tone, const QPalette &palette)
{
    // GitHub's diff colours, which were chosen for light and dark backgrounds both.
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

std::optional<Tone> ofOutcome(DeployResult::Outcome outcome)
{
    switch (outcome) {
    case DeployResult::Outcome::Updated:
    case DeployResult::Outcome::Unchanged:
        return Tone::Good;
    case DeployResult::Outcome::RolledBack:
        return Tone::Warn;
    case DeployResult::Outcome::Failed:
        return Tone::Bad;
    case DeployResult::Outcome::NotSwitched:
    case DeployResult::Outcome::Cancelled:
        return std::nullopt;
    }
    return std::nullopt;
}

std::optional<Tone> ofVerdict(DeployReport::Verdict verdict)
{
    switch (verdict) {
    case DeployReport::Verdict::Confirmed:
    case DeployReport::Verdict::Unchanged:
    case DeployReport::Verdict::DryRun:
        return Tone::Good;
    case DeployReport::Verdict::RolledBack:
        return Tone::Warn;
    case DeployReport::Verdict::NothingSwitched:
        return Tone::Bad;
    case DeployReport::Verdict::Cancelled:
        return std::nullopt;
    }
    return std::nullopt;
}

Tone ofLink(LinkCheck::Result result)
{
    switch (result) {
    case LinkCheck::Result::Ok:
        return Tone::Good;
    case LinkCheck::Result::Pending:
        return Tone::Hunk;
    default:
        return Tone::Bad;
    }
}

} // namespace DeployTone

namespace {

using DeployTone::Tone;

constexpr int LinkRole = Qt::UserRole;

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
            format.setForeground(DeployTone::colour(Tone::Good, palette));
        } else if (text.startsWith(QLatin1Char('-'))) {
            format.setForeground(DeployTone::colour(Tone::Bad, palette));
        } else if (text.startsWith(QLatin1String("@@"))) {
            format.setForeground(DeployTone::colour(Tone::Hunk, palette));
        } else {
            return;
        }
        setFormat(0, int(text.size()), format);
    }

private:
    QWidget *m_view;
};

/// A read-only text view in the fixed font, without wrapping.
void makeTextView(QPlainTextEdit *view, const QString &name, const QString &placeholder)
{
    view->setObjectName(name);
    view->setReadOnly(true);
    view->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    view->setLineWrapMode(QPlainTextEdit::NoWrap);
    view->setPlaceholderText(placeholder);
}

bool isPaletteChange(const QEvent *event)
{
    return event->type() == QEvent::PaletteChange || event->type() == QEvent::ApplicationPaletteChange;
}

} // namespace

DeployPlanView::DeployPlanView(QWidget *parent)
    : QPlainTextEdit(parent)
{
    makeTextView(this, QStringLiteral("planView"),
                 tr("The plan: which hosts switch, which hosts installed by hand must import their config again, "
                    "and which links are verified."));
}

void DeployPlanView::showPlan(const DeployPlan &plan, const DeployReport *prepared)
{
    QStringList lines;
    QStringList switching;
    QStringList unchanged;
    for (const QString &host : plan.hostNames()) {
        const DeployResult *result = prepared ? prepared->host(host) : nullptr;
        if (!result)
            switching.append(host);
        else if (result->changes)
            switching.append(host + (result->restart ? tr(" (restart)") : QString()));
        else if (result->outcome == DeployResult::Outcome::Unchanged)
            unchanged.append(host);
    }
    lines.append(prepared ? tr("Hosts to switch (%1): %2").arg(switching.size()).arg(switching.isEmpty() ? tr("none") : switching.join(QStringLiteral(", ")))
                          : tr("Hosts to read (%1): %2").arg(switching.size()).arg(switching.join(QStringLiteral(", "))));
    if (!unchanged.isEmpty())
        lines.append(tr("Unchanged (%1): %2").arg(unchanged.size()).arg(unchanged.join(QStringLiteral(", "))));
    if (prepared) {
        for (const QString &host : prepared->reimport)
            lines.append(tr("Re-import: %1 \u2014 its config changes: scan its QR code or copy its config file again").arg(host));
    }
    QStringList hand;
    for (const DeployPlan::HandInstalled &host : plan.handInstalled)
        hand.append(host.host);
    if (!hand.isEmpty())
        lines.append(tr("Installed by hand, not verified: %1").arg(hand.join(QStringLiteral(", "))));
    lines.append(QString());
    lines.append(tr("Links to verify by a ping through the tunnel (%1):").arg(plan.links.size()));
    for (const DeployLink &link : plan.links)
        lines.append(QStringLiteral("  %1  (from %2 to %3)").arg(link.name(), link.from, link.addresses.join(QStringLiteral(", "))));
    if (!plan.waiting.isEmpty()) {
        lines.append(QString());
        lines.append(tr("Links that wait for hosts left out (%1):").arg(plan.waiting.size()));
        for (const QString &waiting : plan.waiting)
            lines.append(QStringLiteral("  ") + waiting);
    }
    setPlainText(lines.join(QLatin1Char('\n')));
}

DeployChangesView::DeployChangesView(QWidget *parent)
    : QPlainTextEdit(parent)
{
    makeTextView(this, QStringLiteral("diffView"),
                 tr("\u201cShow changes\u201d reads each checked host's config and shows here what a deploy would change "
                    "(keys hidden)."));
    m_highlighter = new DiffHighlighter(document(), this);
}

void DeployChangesView::showChanges(const QStringList &order, const QHash<QString, DeployResult> &results)
{
    QStringList text;
    for (const QString &host : order) {
        const auto found = results.constFind(host);
        if (found == results.constEnd())
            continue;
        const DeployResult &result = *found;
        if (result.outcome == DeployResult::Outcome::Unchanged) {
            text.append(tr("== %1: unchanged").arg(host));
        } else if (!result.diff.isEmpty()) {
            text.append(QStringLiteral("== %1: %2").arg(host, result.reason.isEmpty() ? tr("changes") : result.reason));
            text.append(result.diff.trimmed());
        } else {
            text.append(tr("== %1: %2 at %3: %4").arg(host, deployOutcomeName(result.outcome), deployStepName(result.step), result.reason));
        }
        text.append(QString());
    }
    setPlainText(text.join(QLatin1Char('\n')));
}

void DeployChangesView::changeEvent(QEvent *event)
{
    QPlainTextEdit::changeEvent(event);
    if (isPaletteChange(event))
        m_highlighter->rehighlight();
}

DeployLinksView::DeployLinksView(QWidget *parent)
    : QTreeWidget(parent)
{
    setObjectName(QStringLiteral("linkList"));
    setRootIsDecorated(false);
    setUniformRowHeights(true);
    setHeaderLabels({tr("Link"), tr("Echo from"), tr("Result"), tr("Detail")});
    header()->setStretchLastSection(true);
    setColumnWidth(NameColumn, 220);
    setColumnWidth(FromColumn, 110);
    setColumnWidth(ResultColumn, 110);
}

void DeployLinksView::setLinks(const QList<DeployLink> &links)
{
    clear();
    for (const DeployLink &link : links) {
        auto *item = new QTreeWidgetItem(this);
        item->setText(NameColumn, link.name());
        item->setText(FromColumn, link.from);
        item->setText(ResultColumn, tr("waiting"));
        item->setText(DetailColumn, link.addresses.join(QStringLiteral(", ")));
        item->setData(NameColumn, LinkRole, QStringList{link.a, link.b});
    }
}

void DeployLinksView::showCheck(const LinkCheck &check, bool pendingToo)
{
    QTreeWidgetItem *item = itemFor(check.link);
    if (!item || (!pendingToo && check.result == LinkCheck::Result::Pending))
        return;
    item->setText(ResultColumn, linkResultName(check.result));
    item->setText(DetailColumn, check.detail);
    if (pendingToo)
        item->setToolTip(DetailColumn, check.detail);
    item->setForeground(ResultColumn, DeployTone::colour(DeployTone::ofLink(check.result), palette()));
}

QTreeWidgetItem *DeployLinksView::itemFor(const DeployLink &link) const
{
    for (int i = 0; i < topLevelItemCount(); ++i) {
        QTreeWidgetItem *item = topLevelItem(i);
        if (item->data(NameColumn, LinkRole).toStringList() == QStringList{link.a, link.b})
            return item;
    }
    return nullptr;
}

DeployVerdictView::DeployVerdictView(QWidget *parent)
    : QTextEdit(parent)
{
    setObjectName(QStringLiteral("summary"));
    setReadOnly(true);
}

void DeployVerdictView::showReport(const DeployReport &report)
{
    m_report = report;
    QString rows;
    for (const DeployResult &result : std::as_const(report.hosts)) {
        const auto tone = DeployTone::ofOutcome(result.outcome);
        const QString colour = (tone ? DeployTone::colour(*tone, palette()) : palette().color(QPalette::Text)).name();
        rows += QStringLiteral("<tr><td>%1</td><td style=\"color:%2\"><b>%3</b></td><td>%4</td><td>%5</td></tr>")
                    .arg(result.host.toHtmlEscaped(), colour, deployOutcomeName(result.outcome).toHtmlEscaped(),
                         deployStepName(result.step).toHtmlEscaped(), result.reason.toHtmlEscaped());
    }
    QString linkRows;
    for (const LinkCheck &check : std::as_const(report.links)) {
        const QString colour = DeployTone::colour(DeployTone::ofLink(check.result), palette()).name();
        linkRows += QStringLiteral("<tr><td>%1</td><td style=\"color:%2\"><b>%3</b></td><td>%4</td></tr>")
                        .arg(check.link.name().toHtmlEscaped(), colour, linkResultName(check.result).toHtmlEscaped(),
                             check.detail.toHtmlEscaped());
    }
    QString extra;
    for (const QString &host : std::as_const(report.reimport))
        extra += QStringLiteral("<li>%1</li>").arg(tr("Re-import %1's config: scan its QR code or copy its config file again").arg(host.toHtmlEscaped()));
    for (const QString &waiting : std::as_const(report.waiting))
        extra += QStringLiteral("<li>%1</li>").arg(tr("Waits: %1").arg(waiting.toHtmlEscaped()));
    for (const QString &settled : std::as_const(report.settled))
        extra += QStringLiteral("<li>%1</li>").arg(tr("Rotation settled: %1").arg(settled.toHtmlEscaped()));
    const QString header = QStringLiteral("<tr><th align=\"left\">%1</th><th align=\"left\">%2</th><th align=\"left\">%3</th>"
                                          "<th align=\"left\">%4</th></tr>")
                               .arg(tr("Host"), tr("Result"), tr("Step"), tr("Reason"));
    setHtml(QStringLiteral("<p><b>%1</b></p><table cellspacing=\"0\" cellpadding=\"3\">%2%3</table>%4%5")
                .arg(report.summary().toHtmlEscaped(), header, rows,
                     linkRows.isEmpty() ? QString()
                                        : QStringLiteral("<p><b>%1</b></p><table cellspacing=\"0\" cellpadding=\"3\">%2</table>")
                                              .arg(tr("Links"), linkRows),
                     extra.isEmpty() ? QString() : QStringLiteral("<ul>%1</ul>").arg(extra)));
}

void DeployVerdictView::clearReport()
{
    m_report.reset();
    clear();
}

void DeployVerdictView::changeEvent(QEvent *event)
{
    QTextEdit::changeEvent(event);
    if (isPaletteChange(event) && m_report && !m_report->hosts.isEmpty())
        showReport(*m_report);
}
