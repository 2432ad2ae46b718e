// The desktop's keyring (Secret Service, KWallet, ...) through QtKeychain: where the editor
// can remember a key store's passphrase, by the project file's path.
#pragma once

#include <QByteArray>
#include <QString>

#include <optional>

namespace Keyring {

/// The passphrase remembered for the project at \a projectPath; nullopt when none is, or
/// when there is no keyring (then \a error, when given, says why).
std::optional<QByteArray> passphrase(const QString &projectPath, QString *error = nullptr);
/// Remembers \a passphrase for \a projectPath; false with \a error when the keyring cannot.
bool remember(const QString &projectPath, const QByteArray &passphrase, QString *error = nullptr);
/// Forgets what is remembered for \a projectPath (a passphrase that no longer opens it).
void forget(const QString &projectPath);

} // namespace Keyring
