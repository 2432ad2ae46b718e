// The canvas: a graphics scene that mirrors a MeshDocument (and a StatusMonitor's live
// state) and turns gestures into commands.
#pragma once

#include "meshdocument.h"
#include "statusmonitor.h"
#include "statusreport.h"

#include <QGraphicsScene>
#include <QHash>

class HostItem;
class LinkItem;
class SiteFrameItem;
class QGraphicsLineItem;
class QSvgRenderer;

/// Items never write to the document: a drag ends in one move command, a drop from the
/// palette in one add command, a drag from a host's handle to another host in one connect
/// command. The scene follows the document's signals to stay in sync, undo included.
class TopologyScene : public QGraphicsScene
{
    Q_OBJECT

public:
    /// MIME type of a palette preset being dragged; the data is the preset id.
    static QString presetMimeType() { return QStringLiteral("application/x-meshwright-host-preset"); }

    explicit TopologyScene(MeshDocument *document, QObject *parent = nullptr);

    MeshDocument *document() const { return m_document; }
    HostItem *hostItem(HostId id) const { return m_hosts.value(id); }
    LinkItem *linkItem(HostId a, HostId b) const;
    qsizetype linkItemCount() const { return m_links.size(); }

    QList<HostId> selectedHosts() const;
    QList<std::pair<HostId, HostId>> selectedLinks() const;
    void selectHost(HostId id);
    void selectLink(HostId a, HostId b);
    /// Deletes the selected hosts (with their links) and links in one undo step each.
    void deleteSelection();
    /// Lays out every host anew, as one undo step.
    void autoLayout();
    /// Adds a host of palette preset \a presetId at \a position; returns its id, or 0 and
    /// emits presetRefused() when the mesh subnet has no free address left.
    HostId dropPreset(const QString &presetId, const QPointF &position);

    /// Follows \a monitor as it follows the document: while it runs, every change is drawn
    /// (showLiveStatus); when it stops, the plain drawing is back (clearLiveStatus).
    void observe(const StatusMonitor *monitor);
    /// Live status: links styled by state and hosts badged reachable or not, with the ages,
    /// endpoints and rates in their tooltips. Links and hosts not named keep their look.
    void showLiveStatus(const QList<LinkStatus> &links, const QList<HostStatus> &hosts);
    /// Back to the plain drawing (status off).
    void clearLiveStatus();
    /// A deploy verified the link \a a - \a b (or found it broken): drawn alive or down
    /// until live status or the next edit redraws it.
    void showLinkCheck(const QString &a, const QString &b, bool ok, const QString &detail);
    bool isShowingLiveStatus() const { return m_live; }
    /// How many links are drawn in each live state.
    QHash<LinkState, int> liveStateCounts() const;
    /// The frame drawn around the LAN hosts of \a site (empty: the default site), in
    /// scene coordinates; null when the site has no host on the LAN.
    QRectF siteFrame(const QString &site) const;
    /// The frames' labels, in the order of the sites (the default site's first).
    QStringList siteFrameLabels() const;

signals:
    void presetRefused(const QString &reason);

public:

    // Called by the items.
    void hostItemMoved(HostId id);
    void beginConnect(HostId from, const QPointF &scenePos);
    bool isConnecting() const { return m_connectFrom != 0; }
    /// The renderer of icon \a name (:/icons/NAME.svg), made once per scene.
    QSvgRenderer *iconRenderer(const QString &name);

protected:
    void mousePressEvent(QGraphicsSceneMouseEvent *event) override;
    void mouseMoveEvent(QGraphicsSceneMouseEvent *event) override;
    void mouseReleaseEvent(QGraphicsSceneMouseEvent *event) override;
    void dragEnterEvent(QGraphicsSceneDragDropEvent *event) override;
    void dragMoveEvent(QGraphicsSceneDragDropEvent *event) override;
    void dropEvent(QGraphicsSceneDragDropEvent *event) override;

private:
    void rebuild();
    void onHostAdded(HostId id);
    void onHostAboutToBeRemoved(HostId id);
    void onHostChanged(HostId id);
    void syncLinks();
    void syncFindings();
    void updateLinkEnds(LinkItem *link);
    /// Frames the LAN hosts of each site anew (hosts moved, added, removed, given a site).
    void updateSiteFrames();
    static quint64 pairKey(HostId a, HostId b);
    HostItem *hostItemAt(const QPointF &scenePos) const;

    MeshDocument *m_document;
    bool m_live = false;
    QHash<HostId, HostItem *> m_hosts;
    QHash<quint64, LinkItem *> m_links;
    QHash<HostId, QList<LinkItem *>> m_linksOf;
    QHash<HostId, QPointF> m_pressPositions;
    HostId m_connectFrom = 0;
    QGraphicsLineItem *m_connectLine = nullptr;
    QHash<QString, QSvgRenderer *> m_icons;
    QList<SiteFrameItem *> m_frames;
    bool m_rebuilding = false;
};
