#pragma once
// From the settings table to the local stack's config (`rdstream stack`). The stack remembers the
// ports and optional services (--with) its last `up` used in <state dir>/stack.json, so that
// `status` and `down` find them: they go in as config::Source::kStateFile, above the defaults and
// below the environment and flags.

#include "config/settings/settings.h"
#include "core/result.h"
#include "stack/stack_config.h"

namespace rds::app {

// Reads <stack.state_dir>/stack.json, if there is one, into the port settings, and (for every
// command but `stack up`, which starts only what it is asked to) the optional services.
Status apply_stack_state(config::Settings& s, uint32_t command);
// The validated StackConfig.
Result<stack::StackConfig> stack_config(const config::Settings& s);

}  // namespace rds::app
