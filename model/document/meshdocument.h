// The single source of truth of an open project: its hosts, links, keys and undo stack.
#pragma once

#include "deployment.h"
#include "diagnostic.h"
#include "outputtarget.h"
#include "hostconfigs.h"
#include "interfaceconfig.h"
#include "keystore.h"
#include "planner.h"
#include "project.h"

#include <QHash>
#include <QList>
#include <QObject>
#include <QPointF>
#include <QString>

#include <optional>

class QUndoStack;

/// Stable identity of a host in an open document; names can change, ids do not.
using HostId = quint32;

/// A link between two hosts as drawn: derived from the hosts' peers (the mesh is full
/// unless exclude_peers says otherwise).
struct MeshLink
{
    enum class Kind {
        Mesh,       ///< between hosts on the LAN or the internet
        Roaming,    ///< a roaming client to a gateway, mesh subnets only
        FullTunnel, ///< a roaming client sending everything through a gateway (its first exit)
        StandbyExit, ///< a full-tunnel client to an exit after the first: its own addresses only
    };
    HostId a = 0; ///< the host that comes first in the file
    HostId b = 0;
    Kind kind = Kind::Mesh;
    bool oneSided = false; ///< only one end has the other as peer: a broken half link
    HostId via = 0;        ///< the relay that carries it (Planner::relayOf), or 0: a tunnel of its own

    bool operator==(const MeshLink &) const = default;
};

/// Owns the Project and the QUndoStack. Every edit goes through a command on the stack,
/// so every pane's edits are undoable; views observe the signals and never own data.
class MeshDocument : public QObject
{
    Q_OBJECT

public:
    explicit MeshDocument(QObject *parent = nullptr);
    ~MeshDocument() override;

    /// Replaces the document with \a project (no undo history, unmodified). Hosts without
    /// a position (every wireguardmeshgenerator file) get one from AutoLayout::arrange:
    /// where hosts stand is the document's, and views only draw it.
    void reset(const Project &project = {}, const QString &filePath = {});
    /// Replaces the document with an imported \a project and its \a keys: untitled, no
    /// undo history, and modified until saved, so that closing asks first.
    void adopt(const Project &project, const KeyStore &keys);
    /// Loads \a path and its key store (asking \a passphrase when it is encrypted). On
    /// failure the document is unchanged.
    bool load(const QString &path, QString *error, QList<Diagnostic> *warnings = nullptr,
              const KeyStore::PassphraseSource &passphrase = {});
    /// Encrypts the key store with \a passphrase (or gives it that new passphrase). With
    /// \a writeNow and a project file, writes it at once (on failure nothing changes); else
    /// the next save writes it.
    bool encryptKeys(const QByteArray &passphrase, const KeySeal::Parameters &parameters, bool writeNow, QString *error);
    /// The key store in plain text again, written as encryptKeys() writes it.
    bool decryptKeys(bool writeNow, QString *error);
    /// Saves the project (atomically) and, when it has keys, the key store beside it.
    bool save(const QString &path, QString *error);

    QString filePath() const { return m_filePath; }
    bool isModified() const;
    QUndoStack *undoStack() const { return m_undoStack; }

    const Project &project() const { return m_project; }
    const QList<HostId> &hostIds() const { return m_ids; }
    qsizetype indexOf(HostId id) const { return m_ids.indexOf(id); }
    const Host *host(HostId id) const;
    /// The id of the host called \a name, or 0.
    HostId idOf(const QString &name) const;

    /// Every drawn link, hosts in file order. Recomputed lazily after edits (a copy: the
    /// list is implicitly shared, and stays valid across edits).
    QList<MeshLink> links() const;
    /// The validator's findings. Recomputed lazily after edits.
    QList<Diagnostic> diagnostics() const;
    /// The planner of the project as it is now, made once after each edit for every pane
    /// that asks (links, findings, configs, the properties pane). An edit replaces it: do
    /// not keep the reference past the signals of one edit.
    const Planner &planner() const;

    // --- Keys: the document is their only writer; everyone else reads -----------------
    const KeyStore &keys() const { return m_keys; }
    /// What host \a id is configured with, after making the keys it needs (in memory).
    /// A pane that shows the result calls commitKeys(), so that a config that was shown
    /// (or a QR code that was scanned) always matches what is generated later.
    QList<PlannedInterface> plan(HostId id);
    /// Every file the Configs pane shows for host \a id: those of each output target shown
    /// for it, in the targets' order, each tagged with its target; keys are made as plan()
    /// does (for a target that is not generated, such as a manifest of several hosts, every
    /// host's).
    QList<std::pair<const OutputTarget *, ConfigFiles::File>> shownFiles(HostId id);
    /// Writes keys made since the last write to the key store beside the project file
    /// (atomically). True when there was nothing to write, or for an untitled project
    /// (its keys stay in memory until it is saved). On failure the document counts as
    /// modified, so closing it asks to save, and \a error (when given) says why; without
    /// \a error the failure goes to the log (meshwright.project).
    bool commitKeys(QString *error);
    /// Generates the configs of the hosts at \a hostIndexes (all when empty) into
    /// \a outDir (HostConfigs::generate), making and committing the keys they need first.
    /// The project must be saved and free of validation errors.
    bool generate(const QString &outDir, const QList<qsizetype> &hostIndexes, HostConfigs::Summary *summary, QString *error);

    // --- Deploy and key rotation: the document is the only writer of its keys ----------
    /// The plan of a deploy of \a hosts (Deployment::plan), after making the keys it
    /// needs and writing them to the key store: no host gets a key the store does not
    /// have. An untitled project keeps them in memory: save it before a real deploy.
    std::optional<DeployPlan> deployPlan(const QStringList &hosts, QString *error);
    /// After a confirmed deploy in which \a hosts took part: the rotations it installed
    /// are settled (Deployment::settleRotations) and the key store saved.
    QStringList settleRotations(const QStringList &hosts, QString *error);
    /// Replaces the key pair of \a id's host; pending until a deploy is confirmed.
    bool rotateKeys(HostId id, QString *error);
    /// Replaces the preshared key of the link \a a, \a b; pending as rotateKeys().
    bool rotatePresharedKey(HostId a, HostId b, QString *error);

    // --- Edits: each pushes one undoable command ------------------------------------
    /// Adds \a host (its name made unique) and creates its keys; returns its id.
    HostId addHost(Host host);
    void removeHosts(const QList<HostId> &ids);
    /// Replaces a host's settings; a rename also renames it in other hosts' exclude_peers
    /// and in link settings. False (nothing pushed) when nothing changes or the new name
    /// is taken.
    /// With \a mergeField (a spin box's field, say), the next change of the same field of
    /// the same host merges into this step.
    bool changeHost(HostId id, const Host &host, const QString &text, const QString &mergeField = {});
    /// Where host \a id goes when it joins \a site (empty: the default site): a row below
    /// the site's lowest LAN host, so that it stands inside the site's frame. nullopt when
    /// the site has no other placed LAN host.
    std::optional<QPointF> positionInSite(HostId id, const QString &site) const;
    /// Moves hosts (one undo step for one drag, however many hosts it moved).
    void moveHosts(const QHash<HostId, QPointF> &positions, const QString &text);
    /// Connects or disconnects two hosts, through both hosts' exclude_peers.
    void setLinked(HostId a, HostId b, bool linked);
    /// Disconnects several pairs in one step.
    void removeLinks(const QList<std::pair<HostId, HostId>> &pairs);
    /// Sets (or with nullopt clears) the settings of the link between \a a and \a b.
    /// \a mergeField as changeHost().
    void setLinkSettings(HostId a, HostId b, const std::optional<LinkSettings> &settings, const QString &mergeField = {});
    void setDefaults(const Defaults &defaults, const NetworkSettings &network);

    // --- Helpers for new hosts ---------------------------------------------------------
    QString uniqueHostName(const QString &base) const;
    /// The lowest free address of the mesh subnet (after the network address), or empty.
    QString nextFreeAddress(bool v6) const;

    // --- Primitives the commands call (swap idiom); not for views ----------------------
    void insertHost(qsizetype index, HostId id, const Host &host);
    Host takeHost(HostId id, qsizetype *index);
    /// Exchanges the stored hosts with \a values (id -> host).
    void swapHosts(QHash<HostId, Host> &values);
    void swapLinkSettings(QList<LinkSettings> &links);
    void swapSettings(Defaults &defaults, NetworkSettings &network);
    void swapComments(QList<ProjectComment> &comments);
    HostId newId() { return ++m_lastId; }
    /// Gives key id \a keyId the key material \a material (none: no keys); returns what
    /// it had (KeyStore::take, then put).
    KeyStore::Material exchangeKeys(const QString &keyId, const KeyStore::Material &material);

signals:
    void projectReset();
    void hostAdded(HostId id);
    void hostAboutToBeRemoved(HostId id);
    void hostRemoved(HostId id);
    void hostChanged(HostId id);
    /// The set or the kind of links may have changed.
    void linksChanged();
    /// Emitted after edits once the findings may have changed: once per event-loop turn.
    void diagnosticsChanged();
    void filePathChanged(const QString &path);
    /// A key rotation changed what the hosts will be given (configs, QR codes).
    void keysChanged();
    void modificationChanged(bool modified);

private:
    /// The findings again: the key store's state (plain or encrypted) is one of them.
    void refreshKeyStoreFinding();
    /// Tells the views that links and findings may have changed (findings once per turn).
    void invalidate();
    /// Drops what was derived from the project (planner, links, findings) and, unless
    /// \a keepExclusions, the resolved exclude lists. Every edit calls it right after
    /// changing the project, before its first signal, so no view reads a stale planner.
    void forgetDerived(bool keepExclusions);
    void ensureKeys();
    /// Saves new keys of a project that has a file; a failure leaves the document modified.

    Project m_project;
    QList<HostId> m_ids;
    HostId m_lastId = 0;
    QString m_filePath;
    KeyStore m_keys;
    QUndoStack *m_undoStack;
    mutable std::shared_ptr<const Exclusions> m_exclusions;
    mutable std::optional<Planner> m_planner;
    mutable std::optional<QList<MeshLink>> m_links;
    mutable std::optional<QList<Diagnostic>> m_diagnostics;
    bool m_diagnosticsSignalPending = false;
};
