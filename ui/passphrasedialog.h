// Asking for the key store's passphrase: to unlock it, or a new one to encrypt it with.
#pragma once

#include <QByteArray>
#include <QDialog>

#include <optional>

class QLabel;
class QLineEdit;
class QPushButton;

/// A passphrase, typed without echo. To unlock: one field, and why the last one did not
/// open the store. A new one: two fields that must match, and, for a project saved for the
/// first time, a button that keeps the store plain instead.
class PassphraseDialog : public QDialog
{
    Q_OBJECT

public:
    enum class Mode { Unlock, New };
    PassphraseDialog(Mode mode, const QString &text, QWidget *parent = nullptr);

    /// Shows \a problem (a wrong passphrase) above the field.
    void setProblem(const QString &problem);
    /// Adds "Keep Plain": exec() then returns KeepPlain when it is pressed.
    void offerKeepPlain();
    static constexpr int KeepPlain = 2;

    QByteArray passphrase() const;

    /// The passphrase of the store at \a path, asked in a dialog; nullopt when cancelled.
    static std::optional<QByteArray> unlock(QWidget *parent, const QString &path, const QString &problem);

private:
    void check();

    Mode m_mode;
    QLabel *m_problem;
    QLineEdit *m_first;
    QLineEdit *m_second = nullptr;
    QPushButton *m_ok;
};
