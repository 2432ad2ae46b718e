// A host on the canvas: a node with icon, name and mesh address, and a handle to connect.
#pragma once

#include "diagnostic.h"
#include "meshdocument.h"

#include <QGraphicsItem>

class TopologyScene;

class HostItem : public QGraphicsItem
{
public:
    enum { Type = UserType + 1 };

    HostItem(HostId id, TopologyScene *scene);

    HostId id() const { return m_id; }
    int type() const override { return Type; }

    /// Takes the host's current state; idempotent, cheap when nothing changed.
    void sync(const Host &host);
    /// The validator's findings about this host (empty: no badge).
    void setFindings(const QList<Diagnostic> &findings);
    bool hasFindings() const { return !m_findings.isEmpty(); }

    /// What the live status knows of the host: Off while status is off.
    enum class Reachability { Off, Reachable, Unreachable, NoSsh };
    void setLive(Reachability reachability, const QString &details);
    Reachability reachability() const { return m_reachability; }
    bool isExternal() const { return m_external; }

    /// The connect handle, in item coordinates.
    static QRectF handleRect();
    static QRectF nodeRect();

    QRectF boundingRect() const override;
    QPainterPath shape() const override;
    void paint(QPainter *painter, const QStyleOptionGraphicsItem *option, QWidget *widget) override;

protected:
    QVariant itemChange(GraphicsItemChange change, const QVariant &value) override;
    void mousePressEvent(QGraphicsSceneMouseEvent *event) override;
    void hoverEnterEvent(QGraphicsSceneHoverEvent *event) override;
    void hoverMoveEvent(QGraphicsSceneHoverEvent *event) override;
    void hoverLeaveEvent(QGraphicsSceneHoverEvent *event) override;

private:
    void updateToolTip();

    HostId m_id;
    TopologyScene *m_scene;
    QString m_name;
    QString m_detail;
    QString m_icon;
    QString m_os;
    bool m_external = false; ///< drawn dashed, named as such: its owner configures it
    QList<Diagnostic> m_findings;
    Reachability m_reachability = Reachability::Off;
    QString m_liveDetails;
    bool m_hovered = false;
    bool m_handleHovered = false;
};
