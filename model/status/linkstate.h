// The state of a link, judged from what each of its ends sees (wg show).
#pragma once

#include <QString>

#include <optional>

/// What one end of a link sees of it, from that host's `wg show` and its own clock.
struct LinkEndView
{
    bool interfaceUp = true;
    std::optional<qint64> handshakeAge; ///< seconds since the latest handshake; nullopt: never
    qint64 rxBytes = 0;
    qint64 txBytes = 0;
    bool traffic = false; ///< bytes moved since the previous poll
    bool ratesKnown = false; ///< there was a previous poll to compute rates from
};

/// The state of a link, judged from both ends (see DESIGN.md, "Live status").
enum class LinkState {
    Alive,    ///< a handshake younger than 180 s (WireGuard's reject-after time)
    Idle,     ///< older, but the link has no keepalive and no traffic: not an error
    Down,     ///< older (or never) on a link that should be up, or an interface down
    OneSided, ///< one end sees a fresh handshake, the other does not: a config mismatch
    Unknown,  ///< no view from either end (no SSH to either)
};

namespace LinkStates {

inline constexpr qint64 RejectAfter = 180;

/// Judges a link from the views of its ends (nullopt: that end cannot be asked). A link
/// with \a keepalive is expected to be up all the time.
LinkState judge(const std::optional<LinkEndView> &a, const std::optional<LinkEndView> &b, bool keepalive);
QString name(LinkState state);

} // namespace LinkStates
