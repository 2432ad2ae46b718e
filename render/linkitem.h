// A link on the canvas: a line between two hosts, styled by kind and state.
#pragma once

#include "diagnostic.h"
#include "meshdocument.h"
#include "linkstate.h"

#include <QGraphicsItem>

class LinkItem : public QGraphicsItem
{
public:
    enum { Type = UserType + 2 };

    explicit LinkItem(const MeshLink &link);

    HostId a() const { return m_link.a; }
    HostId b() const { return m_link.b; }
    const MeshLink &link() const { return m_link; }
    int type() const override { return Type; }

    /// Takes the link's kind and state; idempotent.
    void sync(const MeshLink &link);
    /// Moves the ends to the hosts' centres.
    void setEnds(const QPointF &a, const QPointF &b);
    void setFindings(const QList<Diagnostic> &findings);
    void setNames(const QString &a, const QString &b);
    /// The relay that carries the link (empty: none) and why its ends need one.
    void setRelay(const QString &via, const QString &why);
    const QString &relay() const { return m_via; }
    /// The live state (nullopt: status off) and what the tooltip says about it.
    void setLiveState(std::optional<LinkState> state, const QString &details);
    std::optional<LinkState> liveState() const { return m_live; }
    /// Live: this link carries a full-tunnel client's default route now (marked on the line).
    void setActiveExit(bool active);
    bool isActiveExit() const { return m_activeExit; }

    QRectF boundingRect() const override;
    QPainterPath shape() const override;
    void paint(QPainter *painter, const QStyleOptionGraphicsItem *option, QWidget *widget) override;

    /// The pen a link of this kind and state is drawn with (also used by the legend).
    static QPen penFor(MeshLink::Kind kind, bool oneSided, const QPalette &palette);
    /// The pen of a link in a live state. Down and one-sided, the states that need action,
    /// differ by dash pattern and a mark at the centre, not by colour alone; alive, idle
    /// and unknown by colour and width.
    static QPen penFor(LinkState state, const QPalette &palette);
    /// The pen of a mesh link carried by a relay: the mesh link's, dashed.
    static QPen relayedPen(const QPalette &palette);

private:
    void updateToolTip();

    MeshLink m_link;
    QLineF m_line;
    QList<Diagnostic> m_findings;
    QString m_nameA;
    QString m_nameB;
    QString m_via;
    QString m_viaWhy;
    std::optional<LinkState> m_live;
    QString m_liveDetails;
    bool m_activeExit = false;
};
