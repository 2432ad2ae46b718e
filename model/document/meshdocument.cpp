// The single source of truth of an open project: its hosts, links, keys and undo stack.
#include "meshdocument.h"

#include "autolayout.h"
#include "hostconfigs.h"
#include "logcategories.h"
#include "meshcommands.h"
#include "planner.h"
#include "projectfile.h"
#include "validator.h"

#include <QCoreApplication>
#include <QFileInfo>
#include <QSet>
#include <QTimer>
#include <QUndoStack>

MeshDocument::MeshDocument(QObject *parent)
    : QObject(parent)
    , m_undoStack(new QUndoStack(this))
{
    connect(m_undoStack, &QUndoStack::cleanChanged, this,
            [this](bool clean) { emit modificationChanged(!clean); });
}

MeshDocument::~MeshDocument() = default;

void MeshDocument::reset(const Project &project, const QString &filePath)
{
    m_undoStack->clear();
    m_project = project;
    if (std::any_of(m_project.hosts.cbegin(), m_project.hosts.cend(), [](const Host &host) { return !host.position; })) {
        const QList<QPointF> layout = AutoLayout::arrange(m_project);
        for (qsizetype i = 0; i < m_project.hosts.size(); ++i) {
            if (!m_project.hosts[i].position)
                m_project.hosts[i].position = layout[i];
        }
    }
    m_ids.clear();
    for (qsizetype i = 0; i < m_project.hosts.size(); ++i)
        m_ids.append(newId());
    if (filePath != m_filePath) {
        m_filePath = filePath;
        emit filePathChanged(filePath);
    }
    m_keys = KeyStore();
    forgetDerived(false);
    ensureKeys();
    emit projectReset();
    emit linksChanged();
    emit diagnosticsChanged();
    emit modificationChanged(false);
}

void MeshDocument::adopt(const Project &project, const KeyStore &keys)
{
    reset(project);
    m_keys = keys;
    ensureKeys();
    m_undoStack->resetClean(); // clean only once saved
    emit keysChanged();
    emit modificationChanged(true);
}

bool MeshDocument::load(const QString &path, QString *error, QList<Diagnostic> *warnings, const KeyStore::PassphraseSource &passphrase)
{
    ProjectFile::LoadError loadError;
    const auto project = ProjectFile::load(path, &loadError, warnings);
    if (!project) {
        if (error)
            *error = loadError.toString();
        return false;
    }
    KeyStore keys;
    if (!keys.load(KeyStore::pathForProject(path), error, passphrase))
        return false;
    reset(*project, QFileInfo(path).absoluteFilePath());
    m_keys = keys;
    ensureKeys();
    commitKeys(nullptr);
    return true;
}

bool MeshDocument::encryptKeys(const QByteArray &passphrase, const KeySeal::Parameters &parameters, bool writeNow, QString *error)
{
    KeyStore keys = m_keys;
    if (!keys.encrypt(passphrase, parameters, error))
        return false;
    if (writeNow && !m_filePath.isEmpty() && !keys.save(KeyStore::pathForProject(m_filePath), error))
        return false; // the file keeps what it had, and so does the document
    m_keys = keys;
    emit keysChanged();
    refreshKeyStoreFinding();
    return true;
}

bool MeshDocument::decryptKeys(bool writeNow, QString *error)
{
    KeyStore keys = m_keys;
    keys.decrypt();
    if (writeNow && !m_filePath.isEmpty() && !keys.save(KeyStore::pathForProject(m_filePath), error))
        return false;
    m_keys = keys;
    emit keysChanged();
    refreshKeyStoreFinding();
    return true;
}

bool MeshDocument::save(const QString &path, QString *error)
{
    // Keys first: a project file whose key store could not be written would get new keys
    // the next time it is opened.
    const Planner &planner = this->planner();
    m_keys.ensure(planner.keyIds(), planner.presharedKeyPairs());
    const QString absolute = QFileInfo(path).absoluteFilePath();
    if (m_keys.isModified() || absolute != m_filePath) {
        if (!m_keys.save(KeyStore::pathForProject(path), error))
            return false;
    }
    if (!ProjectFile::save(path, m_project, error))
        return false;
    if (absolute != m_filePath) {
        m_filePath = absolute;
        emit filePathChanged(absolute);
    }
    m_undoStack->setClean();
    refreshKeyStoreFinding();
    return true;
}

void MeshDocument::refreshKeyStoreFinding()
{
    m_diagnostics.reset();
    emit diagnosticsChanged();
}

bool MeshDocument::isModified() const
{
    // Keys of an untitled project count once it is saved; for a saved one, unsaved keys
    // (when the key store could not be written) are a change that must not be lost.
    return !m_undoStack->isClean() || (!m_filePath.isEmpty() && m_keys.isModified());
}

QList<PlannedInterface> MeshDocument::plan(HostId id)
{
    const qsizetype index = indexOf(id);
    Q_ASSERT(index >= 0);
    return HostConfigs::planHost(planner(), m_keys, index);
}

QList<std::pair<const OutputTarget *, ConfigFiles::File>> MeshDocument::shownFiles(HostId id)
{
    const qsizetype index = indexOf(id);
    Q_ASSERT(index >= 0);
    const Planner &planner = this->planner();
    const QList<PlannedInterface> interfaces = HostConfigs::planHost(planner, m_keys, index);
    const TargetHost host{m_project, planner, m_keys, index, interfaces};
    QList<const OutputTarget *> targets;
    for (const OutputTarget *target : OutputTargets::all()) {
        if (target->shownFor(m_project, index))
            targets.append(target);
    }
    // As generate lists them: each interface's files, then the host's own.
    QList<std::pair<const OutputTarget *, ConfigFiles::File>> shown;
    for (const PlannedInterface &planned : interfaces) {
        for (const OutputTarget *target : std::as_const(targets)) {
            for (const ConfigFiles::File &file : target->interfaceFiles(planned))
                shown.append({target, file});
        }
    }
    for (const OutputTarget *target : std::as_const(targets)) {
        if (!target->generated()) // it may hold other hosts' configs too
            m_keys.ensure(planner.keyIds(), planner.presharedKeyPairs());
        for (const ConfigFiles::File &file : target->hostFiles(host))
            shown.append({target, file});
    }
    return shown;
}

std::optional<DeployPlan> MeshDocument::deployPlan(const QStringList &hosts, QString *error)
{
    const Planner &planner = this->planner();
    m_keys.ensure(planner.keyIds(), planner.presharedKeyPairs());
    if (!m_filePath.isEmpty() && m_keys.isModified() && !m_keys.save(KeyStore::pathForProject(m_filePath), error))
        return std::nullopt;
    return Deployment::plan(m_project, m_keys, hosts, error);
}

QStringList MeshDocument::settleRotations(const QStringList &hosts, QString *error)
{
    const QStringList settled = Deployment::settleRotations(m_project, hosts, m_keys);
    if (!settled.isEmpty() && !m_filePath.isEmpty() && !m_keys.save(KeyStore::pathForProject(m_filePath), error))
        emit modificationChanged(true);
    if (!settled.isEmpty())
        emit keysChanged();
    return settled;
}

bool MeshDocument::rotateKeys(HostId id, QString *error)
{
    const Host *found = host(id);
    if (!found)
        return false;
    if (found->isExternal()) {
        if (error)
            *error = tr("%1 is external: its owner makes its keys").arg(found->name);
        return false;
    }
    m_keys.rotate(Planner::keyId(*found));
    if (!m_filePath.isEmpty() && !m_keys.save(KeyStore::pathForProject(m_filePath), error)) {
        emit modificationChanged(true);
        return false;
    }
    emit keysChanged();
    emit hostChanged(id);
    return true;
}

bool MeshDocument::rotatePresharedKey(HostId a, HostId b, QString *error)
{
    const qsizetype ia = indexOf(a);
    const qsizetype ib = indexOf(b);
    if (ia < 0 || ib < 0)
        return false;
    const Planner &planner = this->planner();
    m_keys.ensure(planner.keyIds(), planner.presharedKeyPairsOf(ia));
    if (!m_keys.rotatePresharedKey(planner.keyIdFacing(ia, ib), planner.keyIdFacing(ib, ia))) {
        if (error)
            *error = tr("%1 and %2 share no preshared key").arg(m_project.hosts[ia].name, m_project.hosts[ib].name);
        return false;
    }
    if (!m_filePath.isEmpty() && !m_keys.save(KeyStore::pathForProject(m_filePath), error)) {
        emit modificationChanged(true);
        return false;
    }
    emit keysChanged();
    emit hostChanged(a);
    emit hostChanged(b);
    return true;
}

KeyStore::Material MeshDocument::exchangeKeys(const QString &keyId, const KeyStore::Material &material)
{
    KeyStore::Material previous = m_keys.take(keyId);
    m_keys.put(keyId, material);
    return previous;
}

bool MeshDocument::commitKeys(QString *error)
{
    if (m_filePath.isEmpty() || !m_keys.isModified())
        return true;
    QString why;
    if (m_keys.save(KeyStore::pathForProject(m_filePath), &why))
        return true;
    if (error)
        *error = why;
    else
        qCWarning(lcProject, "%s", qPrintable(why));
    emit modificationChanged(true);
    return false;
}

bool MeshDocument::generate(const QString &outDir, const QList<qsizetype> &hostIndexes, HostConfigs::Summary *summary,
                            QString *error)
{
    const bool written = HostConfigs::generate(m_project, m_keys, KeyStore::pathForProject(m_filePath), outDir, hostIndexes,
                                               summary, error);
    if (summary && summary->keysCreated > 0)
        emit keysChanged();
    return written;
}

const Host *MeshDocument::host(HostId id) const
{
    const qsizetype index = m_ids.indexOf(id);
    return index < 0 ? nullptr : &m_project.hosts[index];
}

HostId MeshDocument::idOf(const QString &name) const
{
    const qsizetype index = m_project.indexOf(name);
    return index < 0 ? 0 : m_ids[index];
}

const Planner &MeshDocument::planner() const
{
    if (!m_planner) {
        m_planner.emplace(m_project, m_exclusions);
        m_exclusions = m_planner->exclusions();
    }
    return *m_planner;
}

QList<MeshLink> MeshDocument::links() const
{
    if (!m_links) {
        QList<MeshLink> links;
        const Planner &planner = this->planner();
        const qsizetype count = m_project.hosts.size();
        for (qsizetype a = 0; a < count; ++a) {
            for (qsizetype b = a + 1; b < count; ++b) {
                const bool ab = planner.hasPeer(a, b);
                const bool ba = planner.hasPeer(b, a);
                if (!ab && !ba)
                    continue;
                const qsizetype relay = planner.relayOf(a, b);
                MeshLink link{m_ids[a], m_ids[b], MeshLink::Kind::Mesh, ab != ba, relay >= 0 ? m_ids[relay] : 0};
                for (const auto &[end, other] : {std::pair(a, b), std::pair(b, a)}) {
                    const Host &host = m_project.hosts[end];
                    // How an external host routes is its owner's: its links are drawn plain.
                    if (host.role() != Host::Role::Roaming || host.isExternal())
                        continue;
                    if (!host.gateway) {
                        link.kind = MeshLink::Kind::Roaming;
                        continue;
                    }
                    // A full tunnel: everything to the first exit; the others stand by.
                    const QList<qsizetype> &exits = planner.exitsOf(end);
                    link.kind = exits.value(0, -1) == other ? MeshLink::Kind::FullTunnel
                              : exits.contains(other)     ? MeshLink::Kind::StandbyExit
                                                          : MeshLink::Kind::Mesh;
                }
                links.append(link);
            }
        }
        m_links = std::move(links);
    }
    return *m_links;
}

QList<Diagnostic> MeshDocument::diagnostics() const
{
    if (!m_diagnostics) {
        m_diagnostics = Validator::validate(m_project, planner());
        if (!m_filePath.isEmpty()) {
            if (const auto finding = Validator::keyStoreFinding(KeyStore::pathForProject(m_filePath), m_keys.isEncrypted(),
                                                          QStringLiteral("File → Key Store…")))
                m_diagnostics->append(*finding);
        }
    }
    return *m_diagnostics;
}

void MeshDocument::forgetDerived(bool keepExclusions)
{
    if (!keepExclusions)
        m_exclusions.reset();
    m_planner.reset();
    m_links.reset();
    m_diagnostics.reset();
}

void MeshDocument::invalidate()
{
    emit linksChanged();
    if (!m_diagnosticsSignalPending) {
        // Many edits can come in one go (a macro, a rename through every exclude list):
        // tell the views once, when the event loop has delivered what this turn queued.
        m_diagnosticsSignalPending = true;
        QTimer::singleShot(0, this, [this] {
            m_diagnosticsSignalPending = false;
            emit diagnosticsChanged();
        });
    }
}

void MeshDocument::ensureKeys()
{
    QStringList ids;
    for (const Host &host : std::as_const(m_project.hosts)) {
        if (!host.isExternal())
            ids.append(Planner::keyId(host));
    }
    m_keys.ensure(ids, {});
}

// --- Edits -------------------------------------------------------------------------------

HostId MeshDocument::addHost(Host host)
{
    host.name = uniqueHostName(host.name);
    // The new host joins every host it can reach or be reached by. Pairs where neither
    // side has an endpoint (a phone and a LAN server) could never connect, so they start
    // excluded on both sides, as in wireguardmeshgenerator files.
    Project trial = m_project;
    trial.hosts.append(host);
    const Planner planner(trial);
    const qsizetype added = trial.hosts.size() - 1;
    QHash<HostId, Host> others;
    for (qsizetype i = 0; i < added; ++i) {
        if (planner.hasEndpoint(added, i) || planner.hasEndpoint(i, added))
            continue;
        Host other = m_project.hosts[i];
        if (!host.excludePeers.contains(other.name))
            host.excludePeers.append(other.name);
        if (!other.excludePeers.contains(host.name)) {
            other.excludePeers.append(host.name);
            others.insert(m_ids[i], other);
        }
    }
    const HostId id = newId();
    auto *command = new AddHostCommand(this, m_project.hosts.size(), id, host);
    if (!others.isEmpty()) {
        auto *macro = new QUndoCommand(command->text());
        delete command;
        new AddHostCommand(this, m_project.hosts.size(), id, host, macro);
        new SwapHostsCommand(this, others, QString(), macro);
        m_undoStack->push(macro);
    } else {
        m_undoStack->push(command);
    }
    return id;
}

void MeshDocument::removeHosts(const QList<HostId> &ids)
{
    QSet<QString> names;
    for (const HostId id : ids) {
        if (const Host *h = host(id))
            names.insert(h->name);
    }
    if (names.isEmpty())
        return;
    auto *macro = new QUndoCommand(names.size() == 1 ? tr("Delete %1").arg(*names.cbegin())
                                                     : tr("Delete %n hosts", nullptr, int(names.size())));
    // First drop the references to the hosts, then the hosts themselves.
    QHash<HostId, Host> referrers;
    for (qsizetype i = 0; i < m_project.hosts.size(); ++i) {
        const Host &other = m_project.hosts[i];
        if (names.contains(other.name))
            continue;
        Host changed = other;
        changed.excludePeers.removeIf([&](const QString &peer) { return names.contains(peer); });
        changed.exits.removeIf([&](const QString &exit) { return names.contains(exit); });
        if (changed != other)
            referrers.insert(m_ids[i], changed);
    }
    QList<LinkSettings> links = m_project.links;
    links.removeIf([&](const LinkSettings &l) { return names.contains(l.a) || names.contains(l.b); });
    auto *references = new SwapHostsCommand(this, referrers, QString(), macro);
    if (links != m_project.links)
        references->setLinkSettings(links);
    for (const HostId id : ids) {
        if (host(id))
            new RemoveHostCommand(this, id, macro);
    }
    m_undoStack->push(macro);
}

std::optional<QPointF> MeshDocument::positionInSite(HostId id, const QString &site) const
{
    std::optional<QPointF> lowest;
    for (qsizetype i = 0; i < m_project.hosts.size(); ++i) {
        const Host &host = m_project.hosts[i];
        if (m_ids[i] == id || host.role() != Host::Role::Lan || host.site != site || !host.position)
            continue;
        if (!lowest || host.position->y() > lowest->y())
            lowest = host.position;
    }
    if (!lowest)
        return std::nullopt;
    return QPointF(lowest->x(), lowest->y() + AutoLayout::RowStep);
}

bool MeshDocument::changeHost(HostId id, const Host &host, const QString &text, const QString &mergeField)
{
    const Host *old = this->host(id);
    if (!old || *old == host)
        return false;
    if (old->name != host.name && m_project.indexOf(host.name) >= 0)
        return false; // names are unique
    QHash<HostId, Host> values{{id, host}};
    std::optional<QList<LinkSettings>> links;
    QList<ProjectComment> comments = m_project.comments;
    if (old->name != host.name) {
        const QString from = old->name;
        for (qsizetype i = 0; i < m_project.hosts.size(); ++i) {
            if (m_ids[i] == id || (!m_project.hosts[i].excludePeers.contains(from) && !m_project.hosts[i].exits.contains(from)))
                continue;
            Host renamed = m_project.hosts[i];
            for (QStringList *names : {&renamed.excludePeers, &renamed.exits}) {
                for (QString &peer : *names) {
                    if (peer == from)
                        peer = host.name;
                }
            }
            values.insert(m_ids[i], renamed);
        }
        QList<LinkSettings> renamed = m_project.links;
        for (LinkSettings &link : renamed) {
            for (QString *end : {&link.a, &link.b}) {
                if (*end == from)
                    *end = host.name;
            }
        }
        if (renamed != m_project.links)
            links = renamed;
        for (ProjectComment &comment : comments) {
            if (comment.host == from)
                comment.host = host.name;
        }
    }
    auto *command = new SwapHostsCommand(this, values, text);
    if (links)
        command->setLinkSettings(*links);
    if (comments != m_project.comments)
        command->setComments(comments);
    if (!mergeField.isEmpty() && old->name == host.name)
        command->setMergeKey(QStringLiteral("host %1/%2").arg(id).arg(mergeField));
    m_undoStack->push(command);
    return true;
}

void MeshDocument::moveHosts(const QHash<HostId, QPointF> &positions, const QString &text)
{
    QHash<HostId, Host> values;
    for (auto it = positions.cbegin(); it != positions.cend(); ++it) {
        const Host *h = host(it.key());
        if (!h || h->position == it.value())
            continue;
        Host moved = *h;
        moved.position = it.value();
        values.insert(it.key(), moved);
    }
    if (!values.isEmpty())
        m_undoStack->push(new SwapHostsCommand(this, values, text));
}

void MeshDocument::setLinked(HostId a, HostId b, bool linked)
{
    const Host *ha = host(a);
    const Host *hb = host(b);
    if (!ha || !hb || a == b)
        return;
    QHash<HostId, Host> values;
    auto update = [&](HostId id, const Host &h, const QString &peer) {
        Host changed = h;
        if (linked)
            changed.excludePeers.removeAll(peer);
        else if (!changed.excludePeers.contains(peer))
            changed.excludePeers.append(peer);
        if (changed != h)
            values.insert(id, changed);
    };
    update(a, *ha, hb->name);
    update(b, *hb, ha->name);
    if (values.isEmpty())
        return;
    const QString text = linked ? tr("Connect %1 and %2") : tr("Disconnect %1 and %2");
    m_undoStack->push(new SwapHostsCommand(this, values, text.arg(ha->name, hb->name)));
}

void MeshDocument::removeLinks(const QList<std::pair<HostId, HostId>> &pairs)
{
    QHash<HostId, Host> values;
    auto current = [&](HostId id) { return values.contains(id) ? values.value(id) : *host(id); };
    for (const auto &[a, b] : pairs) {
        if (!host(a) || !host(b) || a == b)
            continue;
        Host ha = current(a);
        Host hb = current(b);
        if (!ha.excludePeers.contains(hb.name))
            ha.excludePeers.append(hb.name);
        if (!hb.excludePeers.contains(ha.name))
            hb.excludePeers.append(ha.name);
        values.insert(a, ha);
        values.insert(b, hb);
    }
    if (values.isEmpty())
        return;
    m_undoStack->push(new SwapHostsCommand(this, values,
                                           pairs.size() == 1 ? tr("Delete link")
                                                             : tr("Delete %n links", nullptr, int(pairs.size()))));
}

void MeshDocument::setLinkSettings(HostId a, HostId b, const std::optional<LinkSettings> &settings, const QString &mergeField)
{
    const Host *ha = host(a);
    const Host *hb = host(b);
    if (!ha || !hb)
        return;
    // Edit in place, so the links keep their order (and the file diffs well).
    QList<LinkSettings> links = m_project.links;
    const auto existing = std::find_if(links.begin(), links.end(),
                                       [&](const LinkSettings &l) { return l.joins(ha->name, hb->name); });
    if (settings) {
        LinkSettings stored = *settings;
        stored.a = existing != links.end() ? existing->a : ha->name;
        stored.b = existing != links.end() ? existing->b : hb->name;
        if (!settings->a.isEmpty() && settings->a != stored.a) // given the other way round
            std::swap(stored.atA, stored.atB);
        if (existing != links.end())
            *existing = stored;
        else
            links.append(stored);
    } else if (existing != links.end()) {
        links.erase(existing);
    }
    if (links == m_project.links)
        return;
    auto *command = new SwapHostsCommand(this, {}, tr("Change link %1 - %2").arg(ha->name, hb->name));
    command->setLinkSettings(links);
    if (!mergeField.isEmpty())
        command->setMergeKey(QStringLiteral("link %1 %2/%3").arg(std::min(a, b)).arg(std::max(a, b)).arg(mergeField));
    m_undoStack->push(command);
}

void MeshDocument::setDefaults(const Defaults &defaults, const NetworkSettings &network)
{
    if (defaults == m_project.defaults && network == m_project.network)
        return;
    m_undoStack->push(new SwapSettingsCommand(this, defaults, network));
}

QString MeshDocument::uniqueHostName(const QString &base) const
{
    QString stem = base.isEmpty() ? QStringLiteral("host") : base;
    if (m_project.indexOf(stem) < 0)
        return stem;
    for (int n = 2;; ++n) {
        const QString candidate = stem + QLatin1Char('-') + QString::number(n);
        if (m_project.indexOf(candidate) < 0)
            return candidate;
    }
}

QString MeshDocument::nextFreeAddress(bool v6) const
{
    const IpPrefix subnet = v6 ? m_project.meshSubnetV6() : m_project.meshSubnetV4();
    if (!subnet.isValid())
        return {};
    QSet<QString> used; // canonical text
    for (const Host &h : m_project.hosts) {
        for (const Interface &iface : h.interfaces) {
            if (const auto address = IpAddress::parse(v6 ? iface.ipv6 : iface.ip))
                used.insert(address->toString());
        }
    }
    const int hostBits = subnet.address().bitCount() - subnet.length();
    if (hostBits < 2)
        return {}; // a /31 or /32 (/127, /128) holds no host address to hand out
    const quint64 last = hostBits >= 32 ? 0xfffffffeULL : (quint64(1) << hostBits) - (v6 ? 1 : 2);
    const IpAddress network = subnet.network().address();
    for (quint64 offset = 1; offset <= last; ++offset) {
        const IpAddress candidate = network.offsetBy(quint32(offset));
        if (!used.contains(candidate.toString()))
            return candidate.toString();
    }
    return {};
}

// --- Primitives ----------------------------------------------------------------------------

void MeshDocument::insertHost(qsizetype index, HostId id, const Host &host)
{
    index = std::clamp<qsizetype>(index, 0, m_project.hosts.size());
    m_project.hosts.insert(index, host);
    m_ids.insert(index, id);
    forgetDerived(false);
    if (!host.isExternal())
        m_keys.ensure({Planner::keyId(host)}, {});
    emit hostAdded(id);
    invalidate();
}

Host MeshDocument::takeHost(HostId id, qsizetype *index)
{
    const qsizetype at = m_ids.indexOf(id);
    Q_ASSERT(at >= 0);
    emit hostAboutToBeRemoved(id);
    Host host = m_project.hosts.takeAt(at);
    m_ids.removeAt(at);
    forgetDerived(false);
    if (index)
        *index = at;
    emit hostRemoved(id);
    invalidate();
    return host;
}

void MeshDocument::swapHosts(QHash<HostId, Host> &values)
{
    QList<HostId> changed;
    bool keepExclusions = true;
    bool moved = true; // only positions changed: links and findings stay
    for (auto it = values.begin(); it != values.end(); ++it) {
        const qsizetype index = m_ids.indexOf(it.key());
        Q_ASSERT(index >= 0);
        Host &stored = m_project.hosts[index];
        if (stored.name != it.value().name)
            m_keys.copyKeys(stored.name, it.value().name); // a rename keeps the host's keys
        keepExclusions = keepExclusions && Exclusions::keeps(stored, it.value());
        Host placed = stored;
        placed.position = it.value().position;
        moved = moved && placed == it.value();
        std::swap(stored, it.value());
        changed.append(it.key());
    }
    if (!moved)
        forgetDerived(keepExclusions);
    for (const HostId id : std::as_const(changed))
        emit hostChanged(id);
    if (!moved)
        invalidate();
}

void MeshDocument::swapLinkSettings(QList<LinkSettings> &links)
{
    std::swap(m_project.links, links);
    forgetDerived(true);
    invalidate();
}

void MeshDocument::swapComments(QList<ProjectComment> &comments)
{
    std::swap(m_project.comments, comments);
}

void MeshDocument::swapSettings(Defaults &defaults, NetworkSettings &network)
{
    std::swap(m_project.defaults, defaults);
    std::swap(m_project.network, network);
    forgetDerived(true);
    for (const HostId id : std::as_const(m_ids))
        emit hostChanged(id);
    invalidate();
}
