#include "source/randomuser/nat_profiles.h"

#include <array>

#include "source/randomuser/api.h"

namespace rds::randomuser {
namespace {

// Postcode ranges and formats only need the right type and a plausible width.
constexpr std::array<NatProfile, kNationalities.size()> kProfiles = {{
    {"AU", "Australia", false, "", 1000, 9999, "0#-####-####", "TFN", "#########", "+10:00", "Eastern seaboard time"},
    {"BR", "Brazil", false, "", 10000000, 99999999, "(##) ####-####", "CPF", "###.###.###-##", "-3:00", "Atlantic plateau time"},
    {"CA", "Canada", true, "A#A #A#", 0, 0, "(###) ###-####", "SIN", "### ### ###", "-5:00", "Great Lakes time"},
    {"CH", "Switzerland", false, "", 1000, 9999, "0## ### ## ##", "AVS", "756.####.####.##", "+1:00", "Alpine central time"},
    {"DE", "Germany", false, "", 10000, 99999, "0###-#######", "SVNR", "## ###### A ###", "+1:00", "Rhine central time"},
    {"DK", "Denmark", false, "", 1000, 9999, "########", "CPR", "######-####", "+1:00", "Baltic central time"},
    {"ES", "Spain", false, "", 10000, 99999, "9##-###-###", "DNI", "########-A", "+1:00", "Iberian central time"},
    {"FI", "Finland", false, "", 10000, 99999, "0#-###-###", "HETU", "######-###A", "+2:00", "Nordic eastern time"},
    {"FR", "France", false, "", 10000, 99999, "0#-##-##-##-##", "INSEE", "# ## ## ## ### ### ##", "+1:00", "Western continental time"},
    {"GB", "United Kingdom", true, "A# #AA", 0, 0, "0#### ######", "NINO", "AA ## ## ## A", "0:00", "Meridian time"},
    {"IE", "Ireland", false, "", 10000, 99999, "0##-###-####", "PPS", "#######A", "0:00", "Atlantic isles time"},
    {"IN", "India", false, "", 100000, 999999, "9#########", "UIDAI", "############", "+5:30", "Subcontinent time"},
    {"IR", "Iran", false, "", 10000, 99999, "0###-#######", "", "", "+3:30", "Plateau time"},
    {"MX", "Mexico", false, "", 10000, 99999, "(6##) ### ####", "NSS", "## ## ## #### #", "-6:00", "Central highlands time"},
    {"NL", "Netherlands", false, "", 1000, 9999, "(0###) ######", "BSN", "########", "+1:00", "Lowlands central time"},
    {"NO", "Norway", true, "####", 0, 0, "########", "FN", "######## ###", "+1:00", "Fjord central time"},
    {"NZ", "New Zealand", false, "", 1000, 9999, "(###)-###-####", "", "", "+12:00", "Southern isles time"},
    {"RS", "Serbia", false, "", 10000, 99999, "0##-####-###", "SID", "#############", "+1:00", "Danube central time"},
    {"TR", "Turkey", false, "", 10000, 99999, "(###)-###-####", "", "", "+3:00", "Bosporus time"},
    {"UA", "Ukraine", false, "", 10000, 99999, "(0##) ###-####", "", "", "+2:00", "Steppe eastern time"},
    {"US", "United States", false, "", 10000, 99999, "(###) ###-####", "SSN", "###-##-####", "-5:00", "Eastern seaboard time"},
}};

}  // namespace

const NatProfile& nat_profile(std::size_t nationality_index) { return kProfiles[nationality_index]; }

}  // namespace rds::randomuser
