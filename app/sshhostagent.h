// One host's side of a fleet deploy, over SSH: stage, switch, probe, confirm or roll back.
#pragma once

#include "hostagent.h"

#include <memory>

class SshSession;

/// Carries out HostAgent's steps on one host with one SSH session (libssh), through the
/// host's non-interactive sudo_cmd. Every remote command is a fixed script that gets its
/// values as quoted arguments; see DESIGN.md, "Deploy".
class SshHostAgent : public HostAgent
{
public:
    SshHostAgent(const DeployTarget &target, const DeployOptions &options);
    ~SshHostAgent() override;

    std::optional<DeployFailure> connect(const Report &report) override;
    std::optional<DeployFailure> readLive(QList<QByteArray> *live) override;
    std::optional<DeployFailure> stage(const QList<DeployTarget::File> &files, const Report &report) override;
    void discardStage() override;
    SwitchOutcome switchOver(bool restart, int timeoutSeconds, const Report &report, QString *reason) override;
    QList<LinkCheck> probe(const QList<DeployLink> &links) override;
    std::optional<DeployFailure> disarm() override;
    std::optional<DeployFailure> commit() override;
    std::optional<DeployFailure> rollback() override;
    void threadFinished() override;

    /// Takes \a target's interfaces down and deletes their configs (a host removed from the
    /// project). Not part of any deploy, and never of a rollback.
    std::optional<DeployFailure> decommission(const Report &report, QStringList *done);

    /// Shell text that makes the stage folder ($1, which must not exist yet) and writes
    /// \a files into it byte for byte, each as a quoted here-document whose end line is
    /// built from \a token; nothing when a file cannot travel that way (\a why says which:
    /// a NUL byte). On the host a failure exits with a line on stderr.
    static std::optional<QByteArray> stagingText(const QList<DeployTarget::File> &files, const QString &token, QString *why);

private:
    /// Runs one of the fixed scripts with \a arguments (already quoted) as root; \a head
    /// runs before it, in the same shell.
    int runScript(const QByteArray &script, const QByteArray &arguments, QByteArray *out, QByteArray *err,
                  const QByteArray &head = {});
    QByteArray filePairs() const;
    /// Runs FinishScript's \a action; a failure is reported at \a step.
    std::optional<DeployFailure> finish(const char *action, DeployStep step, DeployFailure::Problem problem);

    DeployTarget m_target;
    DeployOptions m_options;
    std::unique_ptr<SshSession> m_session;
    QString m_token; ///< names this switch's stage, backup state and timer on the host
    QString m_stage;
};
