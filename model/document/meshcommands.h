// The undo commands of MeshDocument; each swaps stored values with the document's.
#pragma once

#include "meshdocument.h"

#include <QUndoCommand>

/// Inserts a host; undo takes it out again.
class AddHostCommand : public QUndoCommand
{
public:
    AddHostCommand(MeshDocument *document, qsizetype index, HostId id, const Host &host,
                   QUndoCommand *parent = nullptr);
    void redo() override;
    void undo() override;

private:
    void swapKeys();

    MeshDocument *m_document;
    qsizetype m_index;
    HostId m_id;
    Host m_host;
    /// Keys a deleted host of the same name left behind: a new host never inherits them
    /// (they are swapped with the new host's on undo and redo).
    KeyStore::Material m_otherKeys;
    bool m_done = false;
};

/// Takes a host out; undo puts it back where it was.
class RemoveHostCommand : public QUndoCommand
{
public:
    RemoveHostCommand(MeshDocument *document, HostId id, QUndoCommand *parent = nullptr);
    void redo() override;
    void undo() override;

private:
    MeshDocument *m_document;
    HostId m_id;
    qsizetype m_index = -1;
    Host m_host;
};

/// Replaces some hosts' values (settings, positions, exclude_peers) and, optionally, the
/// link settings; undo and redo both swap (Tiled's idiom).
class SwapHostsCommand : public QUndoCommand
{
public:
    SwapHostsCommand(MeshDocument *document, const QHash<HostId, Host> &values, const QString &text,
                     QUndoCommand *parent = nullptr);
    void setLinkSettings(const QList<LinkSettings> &links) { m_links = links; }
    void setComments(const QList<ProjectComment> &comments) { m_comments = comments; }
    /// Lets the next command with the same \a key merge into this one (holding a spin
    /// box's arrow is one undo step, as Tiled's ChangeMapObject::mergeWith). The key names
    /// the host or link and the field, e.g. "3/listenPort"; empty: never merges.
    void setMergeKey(const QString &key) { m_mergeKey = key; }
    void redo() override { swap(); }
    void undo() override { swap(); }
    int id() const override { return m_mergeKey.isEmpty() ? -1 : MergeId; }
    bool mergeWith(const QUndoCommand *other) override;

private:
    static constexpr int MergeId = 0x4d57; // any id of its own; the key decides
    void swap();

    MeshDocument *m_document;
    QString m_mergeKey;
    QHash<HostId, Host> m_values;
    std::optional<QList<LinkSettings>> m_links;
    std::optional<QList<ProjectComment>> m_comments;
};

/// Replaces the project's defaults and mesh subnets.
class SwapSettingsCommand : public QUndoCommand
{
public:
    SwapSettingsCommand(MeshDocument *document, const Defaults &defaults, const NetworkSettings &network);
    void redo() override { m_document->swapSettings(m_defaults, m_network); }
    void undo() override { m_document->swapSettings(m_defaults, m_network); }

private:
    MeshDocument *m_document;
    Defaults m_defaults;
    NetworkSettings m_network;
};
