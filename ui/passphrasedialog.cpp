// The passphrase dialog.
#include "passphrasedialog.h"

#include "statecolors.h"

#include <QCheckBox>
#include <QDialogButtonBox>
#include <QDir>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QVBoxLayout>

PassphraseDialog::PassphraseDialog(Mode mode, const QString &text, QWidget *parent)
    : QDialog(parent)
    , m_mode(mode)
    , m_problem(new QLabel)
    , m_first(new QLineEdit)
{
    setObjectName(QStringLiteral("passphraseDialog"));
    setWindowTitle(mode == Mode::Unlock ? tr("Unlock Key Store") : tr("Key Store Passphrase"));
    setMinimumWidth(440); // the path and the explanation read on few lines
    auto *layout = new QVBoxLayout(this);
    auto *label = new QLabel(text);
    label->setWordWrap(true);
    layout->addWidget(label);
    m_problem->setObjectName(QStringLiteral("passphraseProblem"));
    m_problem->setWordWrap(true);
    QPalette palette = m_problem->palette();
    palette.setColor(QPalette::WindowText, StateColors::error());
    m_problem->setPalette(palette);
    m_problem->hide();
    layout->addWidget(m_problem);
    auto *form = new QFormLayout;
    m_first->setObjectName(QStringLiteral("passphrase"));
    m_first->setEchoMode(QLineEdit::Password);
    form->addRow(tr("&Passphrase:"), m_first);
    if (mode == Mode::New) {
        m_second = new QLineEdit;
        m_second->setObjectName(QStringLiteral("passphraseAgain"));
        m_second->setEchoMode(QLineEdit::Password);
        form->addRow(tr("&Again:"), m_second);
        connect(m_second, &QLineEdit::textChanged, this, &PassphraseDialog::check);
    }
    layout->addLayout(form);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Cancel);
    m_ok = buttons->addButton(mode == Mode::Unlock ? tr("&Unlock") : tr("&Encrypt"), QDialogButtonBox::AcceptRole);
    m_ok->setObjectName(QStringLiteral("passphraseAccept"));
    m_ok->setDefault(true);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    layout->addWidget(buttons);
    connect(m_first, &QLineEdit::textChanged, this, &PassphraseDialog::check);
    check();
}

void PassphraseDialog::setProblem(const QString &problem)
{
    m_problem->setText(problem);
    m_problem->setVisible(!problem.isEmpty());
}

void PassphraseDialog::offerKeepPlain()
{
    auto *buttons = findChild<QDialogButtonBox *>();
    QPushButton *plain = buttons->addButton(tr("Keep &Plain"), QDialogButtonBox::DestructiveRole);
    plain->setObjectName(QStringLiteral("passphraseKeepPlain"));
    connect(plain, &QPushButton::clicked, this, [this] { done(KeepPlain); });
}

void PassphraseDialog::offerRemember(bool on)
{
    if (!m_remember) {
        m_remember = new QCheckBox(tr("&Remember it in the desktop's keyring"));
        m_remember->setObjectName(QStringLiteral("passphraseRemember"));
        auto *layout = qobject_cast<QVBoxLayout *>(this->layout());
        layout->insertWidget(layout->count() - 1, m_remember);
    }
    m_remember->setChecked(on);
}

bool PassphraseDialog::remember() const
{
    return m_remember && m_remember->isChecked();
}

QByteArray PassphraseDialog::passphrase() const
{
    return m_first->text().toUtf8();
}

void PassphraseDialog::check()
{
    const bool typed = !m_first->text().isEmpty();
    const bool same = !m_second || m_second->text() == m_first->text();
    m_ok->setEnabled(typed && same);
    if (m_second && typed && !m_second->text().isEmpty() && !same)
        setProblem(tr("The two passphrases differ."));
    else if (m_mode == Mode::New)
        setProblem(QString());
}

std::optional<QByteArray> PassphraseDialog::unlock(QWidget *parent, const QString &path, const QString &problem, bool *remember)
{
    PassphraseDialog dialog(Mode::Unlock, tr("%1 is encrypted. Its passphrase unlocks it for this session.").arg(QDir::toNativeSeparators(path)),
                            parent);
    dialog.setProblem(problem);
    if (remember)
        dialog.offerRemember(*remember);
    if (dialog.exec() != QDialog::Accepted)
        return std::nullopt;
    if (remember)
        *remember = dialog.remember();
    return dialog.passphrase();
}
