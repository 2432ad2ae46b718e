// A NATed site on the canvas: a labelled frame around the LAN hosts behind one NAT.
#pragma once

#include <QGraphicsItem>
#include <QString>

/// Drawn behind the links. The scene sets its rectangle from its hosts (TopologyScene::
/// siteFrame); it is never selected or moved itself.
class SiteFrameItem : public QGraphicsItem
{
public:
    enum { Type = UserType + 3 };

    /// \a site: the site's name (empty: the project's default site), shown as \a label.
    SiteFrameItem(const QString &site, const QString &label);

    const QString &site() const { return m_site; }
    const QString &label() const { return m_label; }
    void setLabel(const QString &label);
    /// The frame, in scene coordinates (the hosts' outlines and a margin).
    QRectF frame() const { return m_frame; }
    void setFrame(const QRectF &frame);
    int type() const override { return Type; }

    QRectF boundingRect() const override;
    void paint(QPainter *painter, const QStyleOptionGraphicsItem *option, QWidget *widget) override;

private:
    QString m_site;
    QString m_label;
    QRectF m_frame;
};
