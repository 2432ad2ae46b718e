// The undo commands of MeshDocument; each swaps stored values with the document's.
#include "meshcommands.h"

#include <QCoreApplication>

AddHostCommand::AddHostCommand(MeshDocument *document, qsizetype index, HostId id, const Host &host,
                               QUndoCommand *parent)
    : QUndoCommand(QCoreApplication::translate("MeshDocument", "Add %1").arg(host.name), parent)
    , m_document(document)
    , m_index(index)
    , m_id(id)
    , m_host(host)
{
}

void AddHostCommand::redo()
{
    if (!m_done)
        m_otherKeys = m_document->exchangeKeys(m_host.name, {});
    else
        swapKeys();
    m_done = true;
    m_document->insertHost(m_index, m_id, m_host); // makes a key pair when there is none
}

void AddHostCommand::undo()
{
    qsizetype index = 0;
    m_host = m_document->takeHost(m_id, &index);
    swapKeys();
}

void AddHostCommand::swapKeys()
{
    m_otherKeys = m_document->exchangeKeys(m_host.name, m_otherKeys);
}

RemoveHostCommand::RemoveHostCommand(MeshDocument *document, HostId id, QUndoCommand *parent)
    : QUndoCommand(parent)
    , m_document(document)
    , m_id(id)
{
    if (const Host *host = document->host(id))
        setText(QCoreApplication::translate("MeshDocument", "Delete %1").arg(host->name));
}

void RemoveHostCommand::redo()
{
    m_host = m_document->takeHost(m_id, &m_index);
}

void RemoveHostCommand::undo()
{
    m_document->insertHost(m_index, m_id, m_host);
}

SwapHostsCommand::SwapHostsCommand(MeshDocument *document, const QHash<HostId, Host> &values,
                                   const QString &text, QUndoCommand *parent)
    : QUndoCommand(text, parent)
    , m_document(document)
    , m_values(values)
{
}

void SwapHostsCommand::swap()
{
    m_document->swapHosts(m_values);
    if (m_links)
        m_document->swapLinkSettings(*m_links);
    if (m_comments)
        m_document->swapComments(*m_comments);
}

bool SwapHostsCommand::mergeWith(const QUndoCommand *other)
{
    const auto *newer = static_cast<const SwapHostsCommand *>(other); // same id(), same class
    if (newer->m_mergeKey != m_mergeKey || newer->m_values.keys() != m_values.keys()
        || newer->m_links.has_value() != m_links.has_value() || newer->m_comments.has_value() != m_comments.has_value())
        return false;
    // This command keeps what it swapped out first (the state before the first edit); the
    // document already holds the newest. Back where it started, the step is dropped.
    bool unchanged = !m_comments || *m_comments == m_document->project().comments;
    for (auto it = m_values.cbegin(); unchanged && it != m_values.cend(); ++it) {
        const Host *now = m_document->host(it.key());
        unchanged = now && *now == it.value();
    }
    if (unchanged && m_links)
        unchanged = *m_links == m_document->project().links;
    setObsolete(unchanged);
    return true;
}

SwapSettingsCommand::SwapSettingsCommand(MeshDocument *document, const Defaults &defaults,
                                         const NetworkSettings &network)
    : QUndoCommand(QCoreApplication::translate("MeshDocument", "Change mesh settings"))
    , m_document(document)
    , m_defaults(defaults)
    , m_network(network)
{
}
