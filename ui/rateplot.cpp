// A small plot of a link's receive and send rates over the last ten minutes (QPainter).
#include "rateplot.h"

#include <QPainter>
#include <QPainterPath>

#include <cmath>

namespace {

const QColor RxColour(59, 130, 246);
const QColor TxColour(230, 140, 0);

} // namespace

RatePlot::RatePlot(QWidget *parent)
    : QWidget(parent)
{
    setObjectName(QStringLiteral("ratePlot"));
    setAttribute(Qt::WA_OpaquePaintEvent);
}

void RatePlot::setData(const QList<StatusMonitor::RatePoint> &points, qint64 now, const QString &title)
{
    m_points = points;
    m_now = now;
    m_title = title;
    update();
}

double RatePlot::scaleMaximum() const
{
    double largest = 0;
    for (const StatusMonitor::RatePoint &point : m_points)
        largest = std::max({largest, point.rx, point.tx});
    // 1, 2 or 5 times a power of two's worth of bytes: 1 KiB/s, 2 KiB/s, 5 KiB/s, ...
    double top = 1024;
    for (int i = 0; top < largest && i < 60; ++i)
        top *= (i % 3 == 1) ? 2.5 : 2;
    return top;
}

void RatePlot::paintEvent(QPaintEvent *)
{
    QPainter painter(this);
    painter.setRenderHint(QPainter::Antialiasing);
    const QPalette &pal = palette();
    painter.fillRect(rect(), pal.color(QPalette::Base));
    const QFontMetrics metrics = painter.fontMetrics();
    const int left = metrics.horizontalAdvance(QStringLiteral("000.0 KiB/s")) + 8;
    const QRectF plot(left, metrics.height() + 6, width() - left - 8, height() - 2 * metrics.height() - 12);
    painter.setPen(pal.color(QPalette::Text));
    if (m_title.isEmpty()) {
        painter.drawText(rect(), Qt::AlignCenter, tr("Select a link to see its transfer rate"));
        return;
    }
    painter.drawText(QRectF(0, 2, width(), metrics.height()), Qt::AlignHCenter, m_title);
    if (plot.width() < 20 || plot.height() < 20)
        return;
    const double top = scaleMaximum();
    // Grid and axes: rate at top, half and zero; time from -10 min to now.
    painter.setPen(QPen(pal.color(QPalette::Mid), 1, Qt::DotLine));
    for (int i = 0; i <= 2; ++i) {
        const double y = plot.top() + plot.height() * i / 2;
        painter.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y));
        painter.save();
        painter.setPen(pal.color(QPalette::PlaceholderText));
        painter.drawText(QRectF(0, y - metrics.height() / 2.0, left - 6, metrics.height()), Qt::AlignRight | Qt::AlignVCenter,
                         StatusPoll::rateText(top * (2 - i) / 2));
        painter.restore();
    }
    painter.setPen(pal.color(QPalette::PlaceholderText));
    for (int minutes : {10, 5, 0}) {
        const double x = plot.right() - plot.width() * minutes / 10.0;
        const QString label = minutes ? tr("-%1 min").arg(minutes) : tr("now");
        const int w = metrics.horizontalAdvance(label);
        painter.drawText(QRectF(std::clamp(x - w / 2.0, plot.left() - left / 2.0, width() - w - 2.0), plot.bottom() + 4, w, metrics.height()),
                         Qt::AlignCenter, label);
    }
    const auto xOf = [&](qint64 msecs) {
        return plot.right() - plot.width() * double(m_now - msecs) / double(StatusMonitor::HistoryMsecs);
    };
    const auto yOf = [&](double rate) { return plot.bottom() - plot.height() * std::min(rate, top) / top; };
    for (const bool rx : {true, false}) {
        QPainterPath path;
        for (qsizetype i = 0; i < m_points.size(); ++i) {
            const QPointF p(xOf(m_points[i].msecs), yOf(rx ? m_points[i].rx : m_points[i].tx));
            if (i == 0)
                path.moveTo(p);
            else
                path.lineTo(p);
        }
        // Receive solid, send dashed: the two apart without colour too.
        painter.setPen(QPen(rx ? RxColour : TxColour, 2, rx ? Qt::SolidLine : Qt::DashLine));
        painter.setBrush(Qt::NoBrush);
        painter.drawPath(path);
    }
    // Legend, top left inside the plot.
    const QString rxLabel = tr("received");
    const QString txLabel = tr("sent");
    int x = int(plot.left()) + 6;
    const int y = int(plot.top()) + metrics.height() / 2 + 2;
    for (const bool rx : {true, false}) {
        painter.setPen(QPen(rx ? RxColour : TxColour, 2, rx ? Qt::SolidLine : Qt::DashLine));
        painter.drawLine(x, y, x + 18, y);
        painter.setPen(pal.color(QPalette::Text));
        const QString label = rx ? rxLabel : txLabel;
        painter.drawText(QPoint(x + 22, y + metrics.ascent() / 2 - 1), label);
        x += 30 + metrics.horizontalAdvance(label);
    }
}
