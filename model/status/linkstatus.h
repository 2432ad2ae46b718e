// Link states of a whole mesh from what its hosts' `wg show` printed, peers matched by key.
#pragma once

#include "linkstate.h"
#include "wgshow.h"

#include <QByteArray>
#include <QHash>
#include <QList>
#include <QMetaType>
#include <QString>
#include <QStringList>

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
    QString exitKey; ///< the peer that holds a default route (0.0.0.0/0 or ::/0), empty if none
    /// A failover watchdog's state (active, since, switches, last, updated), empty without one.
    QHash<QString, QString> failover;
};

/// One poll of a host: its clock and each interface, by name (wg0, wg1, ...).
struct HostSample
{
    qint64 now = 0; ///< the host's own `date +%s`, so that clock skew does not matter
    QHash<QString, InterfaceSample> interfaces;
};

Q_DECLARE_METATYPE(HostSample)

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
    /// Down, one-sided, or unknown although an end has SSH (it cannot be reached): what
    /// `meshwright status` fails on. Idle links and links between SSH-less hosts are fine.
    bool needsAttention = false;
    /// The full-tunnel client whose default route this link carries now (a or b; empty:
    /// none), and how that is known: its own WireGuard state and watchdog, or, for a client
    /// that is not polled, its exits' handshakes.
    QString exitOf;
    QString exitDetail;
    /// A relayed link (the ends have no tunnel of their own): the relay, and the state of
    /// each hop, a to the relay and the relay to b. Its views are each end's view of the
    /// relay, its state the worse hop's.
    QString via;
    LinkState hopA = LinkState::Unknown;
    LinkState hopB = LinkState::Unknown;

    /// "nas–gw1 alive, gw1–desk down" for a relayed link; empty for others.
    QString hopsText() const;

    /// The freshest handshake age seen from either end (nullopt: never, or nobody to ask).
    std::optional<qint64> freshestHandshake() const;

    /// The traffic of the link from a's side: what a received from b and sent to it, and
    /// the endpoint a sees; from b's view (turned round) when a cannot be asked.
    struct Traffic
    {
        double rx = 0;
        double tx = 0;
        bool ratesKnown = false; ///< two polls of the answering end gave the rates
        QString endpoint;
        bool fromA = true; ///< false: seen by b
    };
    /// nullopt when neither end can be asked.
    std::optional<Traffic> traffic() const;
};

namespace StatusPoll {

/// The script a poll runs on a host (with `sh -s -- IF...`, as root): the host's clock,
/// then `wg show IF latest-handshakes|transfer|endpoints` for each interface. Never `wg show
/// dump` or `showconf`: they print the private key.
QByteArray script();
/// The sample in what script() printed; nullopt with "line N: ..." in \a error when the
/// output is malformed or cut short.
std::optional<HostSample> parse(const QByteArray &output, QString *error = nullptr);

/// "12 s ago", "4 min ago", "3 h ago", "2 d ago"; "never" for nullopt.
QString ageText(std::optional<qint64> seconds);
/// "0 B/s", "812 B/s", "1.2 KiB/s", "3.4 MiB/s".
QString rateText(double bytesPerSecond);

} // namespace StatusPoll

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
    bool isReachable(qsizetype host) const { return host >= 0 && host < m_samples.size() && m_samples.at(host).reachable; }
    /// False for hosts without SSH: they are only ever seen from their peers.
    bool hasSsh(qsizetype host) const { return m_ssh.value(host); }
    qsizetype indexOf(const QString &name) const { return m_names.indexOf(name); }
    const QList<QString> &hostNames() const { return m_names; }

    /// Every link of the mesh (each linked pair once, in file order), judged.
    QList<LinkStatus> links() const;

private:
    struct End
    {
        qsizetype host = -1;
        QString interfaceName;
        QString peerKey; ///< the public key under which this end knows the other
        /// The key the other end runs while a rotation of it is pending (KeyStore): the
        /// hosts still know it by that one until the deploy of the new key is confirmed.
        QString runningKey;
    };
    struct Link
    {
        End a;
        End b;
        bool keepalive = false;
    };
    /// A link carried by a relay: the two hops, as indexes into m_links.
    struct Relayed
    {
        qsizetype a = -1;
        qsizetype b = -1;
        qsizetype relay = -1;
        qsizetype hopA = -1; ///< a and the relay
        qsizetype hopB = -1; ///< the relay and b
    };
    struct Samples
    {
        bool reachable = false;
        std::optional<HostSample> current;
        std::optional<HostSample> previous;
    };
    void view(const End &end, std::optional<LinkEndView> *view, QString *endpoint, double *rxRate, double *txRate) const;

    /// Marks the link that carries each full-tunnel client's default route now.
    void markExits(QList<LinkStatus> *links) const;

    QList<QString> m_names;
    QList<bool> m_ssh;
    QList<QList<qsizetype>> m_exits; ///< per host: its exits in order (Planner::exitsOf)
    QList<Link> m_links;
    QList<Relayed> m_relayed;
    QList<Samples> m_samples; ///< by host index
};
