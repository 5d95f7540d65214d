#include "source/randomuser/word_lists.h"

#include <array>

namespace rds::randomuser::words {
namespace {

using std::string_view;

constexpr std::array<string_view, 32> kMaleFirst = {
    "Arlen", "Bastin", "Corvin", "Dariel", "Edrik", "Falko", "Garrow", "Hollis",
    "Ivo", "Jarrin", "Kestin", "Lorcan", "Maddox", "Nevin", "Orrin", "Pavel",
    "Quill", "Rasmo", "Soren", "Tavish", "Ulric", "Varek", "Wendel", "Xander",
    "Yorick", "Zale", "Bram", "Caspian", "Delmar", "Emeric", "Fenwick", "Gideon"};

constexpr std::array<string_view, 32> kFemaleFirst = {
    "Ava", "Brielle", "Calla", "Delphine", "Elowen", "Fenna", "Greta", "Halene",
    "Isolde", "Juna", "Kaira", "Liora", "Maelis", "Nerys", "Odette", "Perrin",
    "Quenna", "Rosalind", "Saskia", "Tamsin", "Una", "Vesna", "Wren", "Xanthe",
    "Yara", "Zinnia", "Amara", "Bettina", "Coralie", "Dagny", "Embla", "Fiora"};

constexpr std::array<string_view, 48> kLast = {
    "Lind", "Ashdown", "Brackwell", "Corrow", "Dunmere", "Elsworth", "Fallbrook", "Garside",
    "Holloway", "Ingram", "Jessop", "Kettleby", "Lowther", "Marrable", "Northcott", "Oakhurst",
    "Pellow", "Quarrie", "Rendall", "Staveley", "Thorne", "Underhill", "Vance", "Whitlock",
    "Yardley", "Zellner", "Abbing", "Birkett", "Calloway", "Dorrance", "Evesham", "Fairleigh",
    "Gorsuch", "Hartigan", "Ilsley", "Jorvik", "Kinsella", "Larkspur", "Mossop", "Nettleton",
    "Orme", "Pendry", "Rudd", "Sallow", "Tregear", "Upjohn", "Verity", "Winstanley"};

constexpr std::array<string_view, 24> kStreetStems = {
    "Harbour", "Maple", "Kestrel", "Willowmere", "Flint", "Orchard", "Juniper", "Copper",
    "Lantern", "Heron", "Bramble", "Saltmarsh", "Quarry", "Thistle", "Beacon", "Foxglove",
    "Millrace", "Chapel", "Linden", "Rook", "Tannery", "Glassworks", "Sparrow", "Meadowsweet"};

constexpr std::array<string_view, 10> kStreetKinds = {
    "Road", "Lane", "Street", "Avenue", "Close", "Way", "Drive", "Terrace", "Row", "Crescent"};

constexpr std::array<string_view, 20> kCityStems = {
    "Ash", "Bright", "Cold", "Deep", "East", "Fair", "Green", "High", "Iron", "Kings",
    "Long", "Marsh", "North", "Oak", "Red", "Stone", "Thorn", "West", "White", "Wolf"};

constexpr std::array<string_view, 12> kCityEndings = {
    "ford", "vale", "haven", "bury", "field", "mouth", "stead", "wick", "holm", "bridge",
    "moor", "ton"};

constexpr std::array<string_view, 16> kRegions = {
    "Northmarch", "Southreach", "Eastvale", "Westmoor", "Highcombe", "Lowfen", "Riverlands",
    "Coastshire", "Midfold", "Greywater", "Sunhollow", "Pinecrest", "Stormhead", "Fernlea",
    "Oldcastle", "Brightwater"};

constexpr std::array<string_view, 16> kAdjectives = {
    "blue", "quiet", "swift", "lucky", "brave", "sleepy", "silver", "happy",
    "golden", "crazy", "tiny", "mighty", "lazy", "purple", "clever", "wild"};

constexpr std::array<string_view, 16> kNouns = {
    "fox", "otter", "heron", "badger", "lynx", "moth", "panda", "raven",
    "tiger", "wolf", "koala", "falcon", "beetle", "swan", "gecko", "bison"};

constexpr std::array<string_view, 16> kPasswords = {
    "tulip", "marble", "pepper", "canyon", "violet", "rocket", "biscuit", "harbor",
    "meadow", "cobalt", "walnut", "summit", "breeze", "ember", "pixel", "quartz"};

}  // namespace

std::span<const string_view> male_first_names() { return kMaleFirst; }
std::span<const string_view> female_first_names() { return kFemaleFirst; }
std::span<const string_view> last_names() { return kLast; }
std::span<const string_view> street_stems() { return kStreetStems; }
std::span<const string_view> street_kinds() { return kStreetKinds; }
std::span<const string_view> city_stems() { return kCityStems; }
std::span<const string_view> city_endings() { return kCityEndings; }
std::span<const string_view> regions() { return kRegions; }
std::span<const string_view> username_adjectives() { return kAdjectives; }
std::span<const string_view> username_nouns() { return kNouns; }
std::span<const string_view> passwords() { return kPasswords; }

}  // namespace rds::randomuser::words
