#pragma once
// Umbrella header for the CQL native protocol v4 codec. See src/cql/README.md.

#include "cql/compression.h"  // IWYU pragma: export
#include "cql/data_type.h"    // IWYU pragma: export
#include "cql/display.h"      // IWYU pragma: export
#include "cql/errors.h"       // IWYU pragma: export
#include "cql/frame.h"        // IWYU pragma: export
#include "cql/requests.h"     // IWYU pragma: export
#include "cql/responses.h"    // IWYU pragma: export
#include "cql/value.h"        // IWYU pragma: export
#include "cql/wire.h"         // IWYU pragma: export
