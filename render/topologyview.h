// The canvas widget: zoom with the wheel, pan with the middle button, a legend, Fit.
#pragma once

#include <QGraphicsView>

class TopologyScene;

class TopologyView : public QGraphicsView
{
    Q_OBJECT

public:
    explicit TopologyView(TopologyScene *scene, QWidget *parent = nullptr);

    qreal zoom() const { return transform().m11(); }
    /// Where the legend is drawn (viewport coordinates): the corner that hides the fewest hosts.
    QRect legendRect() const;

public slots:
    void zoomIn();
    void zoomOut();
    /// Shows every host, at most at 100% zoom.
    void fitAll();

protected:
    void wheelEvent(QWheelEvent *event) override;
    void mousePressEvent(QMouseEvent *event) override;
    void mouseMoveEvent(QMouseEvent *event) override;
    void mouseReleaseEvent(QMouseEvent *event) override;
    void drawBackground(QPainter *painter, const QRectF &rect) override;
    void drawForeground(QPainter *painter, const QRectF &rect) override;
    void changeEvent(QEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;

private:
    struct LegendEntry
    {
        QString label;
        QPen pen;
    };
    QList<LegendEntry> legendEntries() const;
    static QFont legendFont();

    void zoomBy(qreal factor);

    TopologyScene *m_scene;
    bool m_panning = false;
    bool m_fitPending = false; ///< fit once the view has its real size
    QPoint m_panStart;
};
