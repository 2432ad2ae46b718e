// Checks a project for mistakes that would give broken or dangerous configs.
#pragma once

#include "diagnostic.h"
#include "project.h"

class Planner;

namespace Validator {

/// Every finding about \a project, errors and warnings, hosts in file order. Loading
/// already refused what cannot be read; this judges what was read (or edited).
QList<Diagnostic> validate(const Project &project);
/// The same with \a planner, a planner of \a project (the document keeps one).
QList<Diagnostic> validate(const Project &project, const Planner &planner);

} // namespace Validator
