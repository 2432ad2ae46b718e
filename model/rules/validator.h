// Checks a project for mistakes that would give broken or dangerous configs.
#pragma once

#include "diagnostic.h"
#include "project.h"

#include <optional>

class Planner;

namespace Validator {

/// Every finding about \a project, errors and warnings, hosts in file order. Loading
/// already refused what cannot be read; this judges what was read (or edited).
QList<Diagnostic> validate(const Project &project);
/// The same with \a planner, a planner of \a project (the document keeps one).
QList<Diagnostic> validate(const Project &project, const Planner &planner);

/// A warning when the key store at \a path exists and holds its keys in plain text, which
/// says how to encrypt it (\a howTo: the command or the menu item); nullopt otherwise.
std::optional<Diagnostic> keyStoreFinding(const QString &path, bool encrypted, const QString &howTo);

} // namespace Validator
