// Link states of a whole mesh from what its hosts' `wg show` printed, peers matched by key.
#pragma once

#include "wgshow.h"

#include <QHash>
#include <QList>
#include <QString>

#include <optional>
#include <utility>

class KeyStore;
struct Project;

/// One poll of one WireGuard interface of a host: `date +%s` and `wg show IF ...`.
struct InterfaceSample
{
    bool up = false; ///< false: `wg show IF` failed (interface down or missing)
    QHash<QString, qint64> handshakes;                  ///< public key -> Unix time (0: never)
    QHash<QString, std::pair<qint64, qint64>> transfer; ///< public key -> (rx, tx) bytes
    QHash<QString, QString> endpoints;                  ///< public key -> "host:port"
};

/// One poll of a host: its clock and each interface, by name (wg0, wg1, ...).
struct HostSample
{
    qint64 now = 0; ///< the host's own `date +%s`, so that clock skew does not matter
    QHash<QString, InterfaceSample> interfaces;
};

/// What is known of one link: both ends' views and the state judged from them.
struct LinkStatus
{
    QString a; ///< host names, a before b in file order
    QString b;
    QString interfaceA; ///< a's interface facing b
    QString interfaceB;
    std::optional<LinkEndView> viewA; ///< nullopt: a cannot be asked (no SSH, unreachable)
    std::optional<LinkEndView> viewB;
    QString endpointSeenByA; ///< where a last heard from b ("host:port"), empty if never
    QString endpointSeenByB;
    double rxRateA = 0; ///< bytes per second a received from b over the last poll
    double txRateA = 0;
    double rxRateB = 0;
    double txRateB = 0;
    bool keepalive = false; ///< either end sends keepalives: the link should be up all the time
    LinkState state = LinkState::Unknown;
};

/// The links of a project and their state. Feed it each host's samples as they arrive
/// (or unreachable()); links() judges every link from both ends. Traffic and rates come
/// from the difference to the host's previous sample.
class LinkStatusBoard
{
public:
    LinkStatusBoard(const Project &project, const KeyStore &keys);

    /// Records a poll of \a host (by index in the project).
    void update(qsizetype host, const HostSample &sample);
    /// Records that \a host could not be asked; its ends are judged from the other side.
    void unreachable(qsizetype host);
    bool isReachable(qsizetype host) const { return m_samples.value(host).reachable; }

    /// Every link of the mesh (each linked pair once, in file order), judged.
    QList<LinkStatus> links() const;

private:
    struct End
    {
        qsizetype host = -1;
        QString interfaceName;
        QString peerKey; ///< the public key under which this end knows the other
    };
    struct Link
    {
        End a;
        End b;
        bool keepalive = false;
    };
    struct Samples
    {
        bool reachable = false;
        std::optional<HostSample> current;
        std::optional<HostSample> previous;
    };
    void view(const End &end, std::optional<LinkEndView> *view, QString *endpoint, double *rxRate, double *txRate) const;

    QList<QString> m_names;
    QList<Link> m_links;
    QHash<qsizetype, Samples> m_samples;
};
