// The canvas: a graphics scene that mirrors a MeshDocument and turns gestures into commands.
#include "topologyscene.h"

#include <QCoreApplication>

#include "autolayout.h"
#include "hostitem.h"
#include "hostpresets.h"
#include "linkitem.h"
#include "siteframeitem.h"

#include <QApplication>
#include <QGraphicsLineItem>
#include <QGraphicsSceneDragDropEvent>
#include <QGraphicsSceneMouseEvent>
#include <QMimeData>
#include <QPalette>
#include <QSvgRenderer>
#include <QUndoStack>

TopologyScene::TopologyScene(MeshDocument *document, QObject *parent)
    : QGraphicsScene(parent)
    , m_document(document)
{
    // No BSP tree: at fit zoom every item is drawn anyway, long links span most of its
    // cells, and each edit and live-status change would update it. A full first paint of
    // 500 hosts takes half as long; a hit test a third longer (0.15 ms).
    setItemIndexMethod(QGraphicsScene::NoIndex);
    connect(document, &MeshDocument::projectReset, this, &TopologyScene::rebuild);
    connect(document, &MeshDocument::hostAdded, this, &TopologyScene::onHostAdded);
    connect(document, &MeshDocument::hostAboutToBeRemoved, this, &TopologyScene::onHostAboutToBeRemoved);
    connect(document, &MeshDocument::hostChanged, this, &TopologyScene::onHostChanged);
    connect(document, &MeshDocument::linksChanged, this, &TopologyScene::syncLinks);
    connect(document, &MeshDocument::diagnosticsChanged, this, &TopologyScene::syncFindings);
    rebuild();
}

quint64 TopologyScene::pairKey(HostId a, HostId b)
{
    if (a > b)
        std::swap(a, b);
    return (quint64(a) << 32) | b;
}

LinkItem *TopologyScene::linkItem(HostId a, HostId b) const
{
    return m_links.value(pairKey(a, b));
}

namespace {

/// One end's view of a link, for a tooltip: "lan1 sees lan2: last handshake 12 s ago,
/// endpoint 192.168.1.2:51820, rx 1.2 KiB/s, tx 80 B/s".
QString endDetails(const QString &host, const QString &peer, const std::optional<LinkEndView> &view, const QString &endpoint,
                   double rx, double tx, const HostStatus &status)
{
    const QString seen = StatusReport::endText(view, status.ssh, status.reachable);
    QString text = QCoreApplication::translate("TopologyScene", "%1 sees %2: %3").arg(host.toHtmlEscaped(), peer.toHtmlEscaped(), seen);
    if (view && view->interfaceUp) {
        if (view->handshakeAge)
            text = QCoreApplication::translate("TopologyScene", "%1 sees %2: last handshake %3").arg(host.toHtmlEscaped(), peer.toHtmlEscaped(), seen);
        if (!endpoint.isEmpty())
            text += QCoreApplication::translate("TopologyScene", ", endpoint %1").arg(endpoint.toHtmlEscaped());
        if (view->ratesKnown)
            text += QCoreApplication::translate("TopologyScene", ", rx %1, tx %2").arg(StatusPoll::rateText(rx), StatusPoll::rateText(tx));
    }
    return text;
}

} // namespace

void TopologyScene::observe(const StatusMonitor *monitor)
{
    const auto draw = [this, monitor] {
        if (monitor->isRunning())
            showLiveStatus(monitor->links(), monitor->hosts());
        else
            clearLiveStatus();
    };
    connect(monitor, &StatusMonitor::changed, this, [this, monitor] {
        if (monitor->isRunning())
            showLiveStatus(monitor->links(), monitor->hosts());
    });
    connect(monitor, &StatusMonitor::runningChanged, this, draw);
    draw();
}

void TopologyScene::showLiveStatus(const QList<LinkStatus> &links, const QList<HostStatus> &hosts)
{
    m_live = true;
    QHash<QString, HostStatus> byName;
    for (const HostStatus &host : hosts)
        byName.insert(host.name, host);
    // What a host without SSH is known by: its peers' view of it.
    QHash<QString, QStringList> seenFromPeers;
    for (const LinkStatus &link : links) {
        LinkItem *item = linkItem(m_document->idOf(link.a), m_document->idOf(link.b));
        const HostStatus a = byName.value(link.a);
        const HostStatus b = byName.value(link.b);
        if (item) {
            const QString state = QStringLiteral("<b>%1</b>").arg(LinkStates::name(link.state));
            QStringList details{state, endDetails(link.a, link.b, link.viewA, link.endpointSeenByA, link.rxRateA, link.txRateA, a),
                                endDetails(link.b, link.a, link.viewB, link.endpointSeenByB, link.rxRateB, link.txRateB, b)};
            if (!link.via.isEmpty()) // the ends' views above are of the relay
                details.insert(1, QCoreApplication::translate("TopologyScene", "via <b>%1</b>: %2")
                                      .arg(link.via.toHtmlEscaped(), link.hopsText().toHtmlEscaped()));
            if (!link.exitOf.isEmpty())
                details.append(QCoreApplication::translate("TopologyScene", "<b>%1's exit now</b>: %2")
                                   .arg(link.exitOf.toHtmlEscaped(), link.exitDetail.toHtmlEscaped()));
            item->setLiveState(link.state, details.join(QStringLiteral("<br>")));
            item->setActiveExit(!link.exitOf.isEmpty());
        }
        if (!link.via.isEmpty())
            continue; // its ends' views are of the relay, which its own link shows
        if (!a.ssh && link.viewB && link.viewB->interfaceUp)
            seenFromPeers[link.a].append(QCoreApplication::translate("TopologyScene", "last handshake %1 via %2")
                                             .arg(StatusPoll::ageText(link.viewB->handshakeAge), link.b.toHtmlEscaped()));
        if (!b.ssh && link.viewA && link.viewA->interfaceUp)
            seenFromPeers[link.b].append(QCoreApplication::translate("TopologyScene", "last handshake %1 via %2")
                                             .arg(StatusPoll::ageText(link.viewA->handshakeAge), link.a.toHtmlEscaped()));
    }
    for (const HostStatus &host : hosts) {
        HostItem *item = hostItem(m_document->idOf(host.name));
        if (!item)
            continue;
        if (!host.ssh) {
            const QStringList seen = seenFromPeers.value(host.name);
            item->setLive(HostItem::Reachability::NoSsh,
                          QCoreApplication::translate("TopologyScene", "No SSH: seen from its peers only") + QStringLiteral("<br>")
                              + (seen.isEmpty() ? QCoreApplication::translate("TopologyScene", "no peer has seen it") : seen.join(QStringLiteral("<br>"))));
        } else if (host.reachable) {
            item->setLive(HostItem::Reachability::Reachable, QCoreApplication::translate("TopologyScene", "<b>reachable</b> over SSH"));
        } else {
            item->setLive(HostItem::Reachability::Unreachable,
                          QCoreApplication::translate("TopologyScene", "<b>unreachable</b>: %1")
                              .arg(host.reason.isEmpty() ? QCoreApplication::translate("TopologyScene", "no answer yet") : host.reason.toHtmlEscaped()));
        }
    }
}

QHash<LinkState, int> TopologyScene::liveStateCounts() const
{
    QHash<LinkState, int> counts;
    for (const LinkItem *item : m_links) {
        if (item->liveState())
            counts[*item->liveState()]++;
    }
    return counts;
}

void TopologyScene::clearLiveStatus()
{
    m_live = false;
    for (HostItem *item : std::as_const(m_hosts))
        item->setLive(HostItem::Reachability::Off, {});
    for (LinkItem *item : std::as_const(m_links)) {
        item->setLiveState(std::nullopt, {});
        item->setActiveExit(false);
    }
    update();
}

void TopologyScene::showLinkCheck(const QString &a, const QString &b, bool ok, const QString &detail)
{
    LinkItem *item = linkItem(m_document->idOf(a), m_document->idOf(b));
    if (!item)
        return;
    const QString verdict = ok ? QCoreApplication::translate("TopologyScene", "<b>verified by the deploy</b>")
                               : QCoreApplication::translate("TopologyScene", "<b>failed the deploy's check</b>");
    item->setLiveState(ok ? LinkState::Alive : LinkState::Down, verdict + QStringLiteral("<br>") + detail.toHtmlEscaped());
}

void TopologyScene::rebuild()
{
    clearSelection();
    m_connectFrom = 0;
    m_connectLine = nullptr;
    m_hosts.clear();
    m_links.clear();
    m_linksOf.clear();
    m_frames.clear();
    clear();
    m_rebuilding = true;
    for (const HostId id : m_document->hostIds())
        onHostAdded(id);
    m_rebuilding = false;
    syncLinks();
    syncFindings();
    updateSiteFrames();
}

void TopologyScene::updateSiteFrames()
{
    if (m_rebuilding)
        return;
    // The LAN hosts of each site, the default site's first.
    const Project &project = m_document->project();
    const QStringList sites = QStringList{QString()} + project.siteNames();
    QList<QRectF> frames(sites.size());
    QStringList domains; // the default site's LAN domains, for its label
    const QList<HostId> ids = m_document->hostIds();
    for (qsizetype i = 0; i < project.hosts.size() && i < ids.size(); ++i) {
        const Host &host = project.hosts[i];
        const HostItem *item = m_hosts.value(ids[i]);
        if (host.role() != Host::Role::Lan || !item)
            continue;
        QRectF &frame = frames[sites.indexOf(host.site)];
        frame = frame.isNull() ? item->sceneBoundingRect() : frame.united(item->sceneBoundingRect());
        if (host.site.isEmpty() && !domains.contains(host.lan->domain))
            domains.append(host.lan->domain);
    }
    QList<SiteFrameItem *> kept;
    for (qsizetype s = 0; s < sites.size(); ++s) {
        if (frames[s].isNull())
            continue;
        const QString label = !sites[s].isEmpty()                         ? sites[s]
                            : domains.size() == 1 && !domains[0].isEmpty() ? domains[0]
                                                                           : QCoreApplication::translate("TopologyScene", "LAN");
        auto found = std::find_if(m_frames.begin(), m_frames.end(), [&](SiteFrameItem *f) { return f && f->site() == sites[s]; });
        SiteFrameItem *frame = nullptr;
        if (found != m_frames.end()) {
            frame = *found;
            *found = nullptr;
        } else {
            frame = new SiteFrameItem(sites[s], label);
            addItem(frame);
        }
        frame->setLabel(label);
        frame->setFrame(frames[s].adjusted(-14, -18, 14, 10));
        kept.append(frame);
    }
    for (SiteFrameItem *gone : std::as_const(m_frames))
        delete gone;
    m_frames = kept;
}

QRectF TopologyScene::siteFrame(const QString &site) const
{
    for (const SiteFrameItem *frame : m_frames) {
        if (frame->site() == site)
            return frame->frame();
    }
    return {};
}

QStringList TopologyScene::siteFrameLabels() const
{
    QStringList labels;
    for (const SiteFrameItem *frame : m_frames)
        labels.append(frame->label());
    return labels;
}

void TopologyScene::onHostAdded(HostId id)
{
    const Host *host = m_document->host(id);
    if (!host || m_hosts.contains(id))
        return;
    auto *item = new HostItem(id, this);
    m_hosts.insert(id, item);
    item->sync(*host);
    addItem(item);
    updateSiteFrames();
}

void TopologyScene::onHostAboutToBeRemoved(HostId id)
{
    HostItem *item = m_hosts.take(id);
    if (m_connectFrom == id) {
        m_connectFrom = 0;
        delete m_connectLine;
        m_connectLine = nullptr;
    }
    for (LinkItem *link : m_linksOf.take(id)) {
        const HostId other = link->a() == id ? link->b() : link->a();
        m_linksOf[other].removeOne(link);
        m_links.remove(pairKey(link->a(), link->b()));
        delete link;
    }
    m_pressPositions.remove(id);
    delete item;
    updateSiteFrames();
}

void TopologyScene::onHostChanged(HostId id)
{
    const Host *host = m_document->host(id);
    if (HostItem *item = m_hosts.value(id); item && host)
        item->sync(*host);
    for (LinkItem *link : m_linksOf.value(id)) {
        const Host *a = m_document->host(link->a());
        const Host *b = m_document->host(link->b());
        if (a && b)
            link->setNames(a->name, b->name);
    }
    updateSiteFrames();
}

void TopologyScene::hostItemMoved(HostId id)
{
    for (LinkItem *link : m_linksOf.value(id))
        updateLinkEnds(link);
    updateSiteFrames();
}

void TopologyScene::updateLinkEnds(LinkItem *link)
{
    const HostItem *a = m_hosts.value(link->a());
    const HostItem *b = m_hosts.value(link->b());
    if (a && b)
        link->setEnds(a->pos(), b->pos());
}

void TopologyScene::syncLinks()
{
    QSet<quint64> seen;
    for (const MeshLink &link : m_document->links()) {
        const quint64 key = pairKey(link.a, link.b);
        seen.insert(key);
        LinkItem *item = m_links.value(key);
        if (!item) {
            if (!m_hosts.contains(link.a) || !m_hosts.contains(link.b))
                continue;
            item = new LinkItem(link);
            m_links.insert(key, item);
            m_linksOf[link.a].append(item);
            m_linksOf[link.b].append(item);
            updateLinkEnds(item);
            addItem(item);
        }
        item->sync(link);
        item->setNames(m_document->host(link.a)->name, m_document->host(link.b)->name);
        if (const Host *relay = link.via ? m_document->host(link.via) : nullptr) {
            const Planner &planner = m_document->planner();
            item->setRelay(relay->name, planner.whyNoPath(m_document->indexOf(link.a), m_document->indexOf(link.b)));
        } else {
            item->setRelay({}, {});
        }
    }
    for (auto it = m_links.begin(); it != m_links.end();) {
        if (seen.contains(it.key())) {
            ++it;
            continue;
        }
        LinkItem *item = it.value();
        m_linksOf[item->a()].removeOne(item);
        m_linksOf[item->b()].removeOne(item);
        it = m_links.erase(it);
        delete item;
    }
}

void TopologyScene::syncFindings()
{
    QHash<HostId, QList<Diagnostic>> hostFindings;
    QHash<quint64, QList<Diagnostic>> linkFindings;
    for (const Diagnostic &finding : m_document->diagnostics()) {
        const HostId host = m_document->idOf(finding.host);
        const HostId peer = finding.peer.isEmpty() ? 0 : m_document->idOf(finding.peer);
        if (peer && m_links.contains(pairKey(host, peer)))
            linkFindings[pairKey(host, peer)].append(finding);
        else if (host)
            hostFindings[host].append(finding);
    }
    for (auto it = m_hosts.cbegin(); it != m_hosts.cend(); ++it)
        it.value()->setFindings(hostFindings.value(it.key()));
    for (auto it = m_links.cbegin(); it != m_links.cend(); ++it)
        it.value()->setFindings(linkFindings.value(it.key()));
}

QList<HostId> TopologyScene::selectedHosts() const
{
    QList<HostId> ids;
    for (QGraphicsItem *item : selectedItems()) {
        if (item->type() == HostItem::Type)
            ids.append(static_cast<HostItem *>(item)->id());
    }
    // In file order, so commands and panes see a stable order.
    std::sort(ids.begin(), ids.end(), [this](HostId x, HostId y) {
        return m_document->indexOf(x) < m_document->indexOf(y);
    });
    return ids;
}

QList<std::pair<HostId, HostId>> TopologyScene::selectedLinks() const
{
    QList<std::pair<HostId, HostId>> pairs;
    for (QGraphicsItem *item : selectedItems()) {
        if (item->type() == LinkItem::Type)
            pairs.append({static_cast<LinkItem *>(item)->a(), static_cast<LinkItem *>(item)->b()});
    }
    return pairs;
}

void TopologyScene::selectHost(HostId id)
{
    clearSelection();
    if (HostItem *item = m_hosts.value(id))
        item->setSelected(true);
}

void TopologyScene::selectLink(HostId a, HostId b)
{
    clearSelection();
    if (LinkItem *item = linkItem(a, b))
        item->setSelected(true);
}

void TopologyScene::deleteSelection()
{
    const QList<HostId> hosts = selectedHosts();
    QList<std::pair<HostId, HostId>> links = selectedLinks();
    // Links of deleted hosts go with them.
    links.removeIf([&](const auto &pair) { return hosts.contains(pair.first) || hosts.contains(pair.second); });
    if (!hosts.isEmpty() && !links.isEmpty())
        m_document->undoStack()->beginMacro(tr("Delete selection"));
    if (!links.isEmpty())
        m_document->removeLinks(links);
    if (!hosts.isEmpty())
        m_document->removeHosts(hosts);
    if (!hosts.isEmpty() && !links.isEmpty())
        m_document->undoStack()->endMacro();
}

void TopologyScene::autoLayout()
{
    const QList<QPointF> layout = AutoLayout::arrange(m_document->project());
    QHash<HostId, QPointF> positions;
    for (qsizetype i = 0; i < layout.size(); ++i)
        positions.insert(m_document->hostIds()[i], layout[i]);
    m_document->moveHosts(positions, tr("Auto layout"));
}

HostId TopologyScene::dropPreset(const QString &presetId, const QPointF &position)
{
    if (!HostPresets::find(presetId))
        return 0;
    Host host = HostPresets::create(presetId, *m_document);
    if (host.meshInterface().ip.isEmpty()) {
        emit presetRefused(tr("The mesh subnet %1 has no free address for another host; widen it in the project's "
                              "network settings.")
                               .arg(m_document->project().meshSubnetV4().isValid()
                                        ? m_document->project().meshSubnetV4().toString()
                                        : tr("(none: the project has no hosts and no network section)")));
        return 0;
    }
    host.position = position;
    const HostId id = m_document->addHost(host);
    selectHost(id);
    return id;
}

HostItem *TopologyScene::hostItemAt(const QPointF &scenePos) const
{
    for (QGraphicsItem *item : items(scenePos)) {
        if (item->type() == HostItem::Type)
            return static_cast<HostItem *>(item);
    }
    return nullptr;
}

QSvgRenderer *TopologyScene::iconRenderer(const QString &name)
{
    auto it = m_icons.find(name);
    if (it == m_icons.end())
        it = m_icons.insert(name, new QSvgRenderer(QStringLiteral(":/icons/%1.svg").arg(name), this));
    return *it;
}

void TopologyScene::beginConnect(HostId from, const QPointF &scenePos)
{
    m_connectFrom = from;
    const HostItem *item = m_hosts.value(from);
    m_connectLine = addLine(QLineF(item ? item->pos() : scenePos, scenePos),
                            QPen(palette().color(QPalette::Highlight), 2, Qt::DashLine));
    m_connectLine->setZValue(2);
}

void TopologyScene::mousePressEvent(QGraphicsSceneMouseEvent *event)
{
    QGraphicsScene::mousePressEvent(event);
    m_pressPositions.clear();
    if (isConnecting() || event->button() != Qt::LeftButton)
        return;
    for (const HostId id : selectedHosts())
        m_pressPositions.insert(id, m_hosts.value(id)->pos());
}

void TopologyScene::mouseMoveEvent(QGraphicsSceneMouseEvent *event)
{
    if (isConnecting()) {
        QLineF line = m_connectLine->line();
        line.setP2(event->scenePos());
        m_connectLine->setLine(line);
        event->accept();
        return;
    }
    QGraphicsScene::mouseMoveEvent(event);
}

void TopologyScene::mouseReleaseEvent(QGraphicsSceneMouseEvent *event)
{
    if (isConnecting()) {
        const HostId from = m_connectFrom;
        m_connectFrom = 0;
        delete m_connectLine;
        m_connectLine = nullptr;
        // The host whose handle was pressed took the mouse; give it back, or the next
        // press would go to that host.
        if (QGraphicsItem *grabber = mouseGrabberItem())
            grabber->ungrabMouse();
        event->accept();
        if (const HostItem *target = hostItemAt(event->scenePos()); target && target->id() != from)
            m_document->setLinked(from, target->id(), true);
        return;
    }
    QGraphicsScene::mouseReleaseEvent(event);
    // One drag, however many hosts it moved, is one undo step.
    QHash<HostId, QPointF> moved;
    for (auto it = m_pressPositions.cbegin(); it != m_pressPositions.cend(); ++it) {
        const HostItem *item = m_hosts.value(it.key());
        if (item && item->pos() != it.value())
            moved.insert(it.key(), item->pos());
    }
    m_pressPositions.clear();
    if (!moved.isEmpty())
        m_document->moveHosts(moved, moved.size() == 1 ? tr("Move %1").arg(m_document->host(moved.cbegin().key())->name)
                                                       : tr("Move %n hosts", nullptr, int(moved.size())));
}

void TopologyScene::dragEnterEvent(QGraphicsSceneDragDropEvent *event)
{
    event->setAccepted(event->mimeData()->hasFormat(presetMimeType()));
}

void TopologyScene::dragMoveEvent(QGraphicsSceneDragDropEvent *event)
{
    event->setAccepted(event->mimeData()->hasFormat(presetMimeType()));
}

void TopologyScene::dropEvent(QGraphicsSceneDragDropEvent *event)
{
    const QString preset = QString::fromUtf8(event->mimeData()->data(presetMimeType()));
    if (dropPreset(preset, event->scenePos()) == 0) {
        event->ignore();
        return;
    }
    event->setDropAction(Qt::CopyAction);
    event->accept();
}
