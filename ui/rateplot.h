// A small plot of a link's receive and send rates over the last ten minutes (QPainter).
#pragma once

#include "statusmonitor.h"

#include <QWidget>

class RatePlot : public QWidget
{
    Q_OBJECT

public:
    explicit RatePlot(QWidget *parent = nullptr);

    /// \a points (oldest first, times in ms) up to \a now; \a title names the link.
    void setData(const QList<StatusMonitor::RatePoint> &points, qint64 now, const QString &title);
    const QList<StatusMonitor::RatePoint> &points() const { return m_points; }
    /// The top of the rate axis for the data shown: a round number above the largest rate.
    double scaleMaximum() const;

    QSize sizeHint() const override { return {360, 140}; }
    QSize minimumSizeHint() const override { return {200, 90}; }

protected:
    void paintEvent(QPaintEvent *event) override;

private:
    QList<StatusMonitor::RatePoint> m_points;
    qint64 m_now = 0;
    QString m_title;
};
