// Asking for the key store's passphrase: to unlock it, or a new one to encrypt it with.
#pragma once

#include <QByteArray>
#include <QDialog>

#include <optional>

class QCheckBox;
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

    /// Adds "Remember in the desktop's keyring", checked or not as \a on.
    void offerRemember(bool on);
    bool remember() const;

    /// The passphrase of the store at \a path, asked in a dialog; nullopt when cancelled.
    /// With \a remember, the dialog offers to remember it, and says there whether the user wants to.
    static std::optional<QByteArray> unlock(QWidget *parent, const QString &path, const QString &problem, bool *remember = nullptr);

private:
    void check();

    Mode m_mode;
    QLabel *m_problem;
    QLineEdit *m_first;
    QLineEdit *m_second = nullptr;
    QCheckBox *m_remember = nullptr;
    QPushButton *m_ok;
};
