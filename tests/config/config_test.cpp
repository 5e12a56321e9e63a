#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <utility>

#include "config/config.hpp"
#include "config/config_test_support.hpp"
#include "support/temp_dir.hpp"

namespace zqe::config {
namespace {

using namespace std::chrono_literals;

const std::string kDataDir = ZQE_TEST_DATA_DIR;
// The client_secret of every test file that has one; no message may ever contain it.
constexpr std::string_view kFileSecret = "k3ep-Th1s-Secret";

constexpr std::string_view kCredentials = R"(
zoom:
  account_id: acct
  client_id: client
  client_secret: secret
)";

// Config has no operator==; this compares every setting (not `source`), naming the one that
// differs.
void expect_same_settings(const Config& actual, const Config& expected) {
  EXPECT_EQ(actual.listen_host, expected.listen_host);
  EXPECT_EQ(actual.listen_port, expected.listen_port);
  EXPECT_EQ(actual.log_level, expected.log_level);
  EXPECT_EQ(actual.zoom.account_id, expected.zoom.account_id);
  EXPECT_EQ(actual.zoom.client_id, expected.zoom.client_id);
  EXPECT_EQ(actual.zoom.client_secret, expected.zoom.client_secret);
  EXPECT_EQ(actual.zoom.api_base_url, expected.zoom.api_base_url);
  EXPECT_EQ(actual.zoom.oauth_token_url, expected.zoom.oauth_token_url);
  EXPECT_EQ(actual.zoom.request_timeout, expected.zoom.request_timeout);
  EXPECT_EQ(actual.zoom.max_response_bytes, expected.zoom.max_response_bytes);
  EXPECT_EQ(actual.zoom.qos_page_size, expected.zoom.qos_page_size);
  EXPECT_EQ(actual.zoom.meetings_page_size, expected.zoom.meetings_page_size);
  EXPECT_EQ(actual.zoom.max_concurrent_requests, expected.zoom.max_concurrent_requests);
  EXPECT_EQ(actual.poll.interval, expected.poll.interval);
  EXPECT_EQ(actual.poll.webinars, expected.poll.webinars);
  EXPECT_EQ(actual.limits.plan, expected.limits.plan);
  EXPECT_EQ(actual.limits.heavy_per_second, expected.limits.heavy_per_second);
  EXPECT_EQ(actual.limits.resource_intensive_per_minute,
            expected.limits.resource_intensive_per_minute);
  EXPECT_EQ(actual.limits.daily_requests, expected.limits.daily_requests);
  EXPECT_EQ(actual.limits.daily_share, expected.limits.daily_share);
  EXPECT_EQ(actual.metrics.levels.participant, expected.metrics.levels.participant);
  EXPECT_EQ(actual.metrics.levels.meeting, expected.metrics.levels.meeting);
  EXPECT_EQ(actual.metrics.levels.account, expected.metrics.levels.account);
  EXPECT_EQ(actual.metrics.participant_info_labels, expected.metrics.participant_info_labels);
  EXPECT_EQ(actual.metrics.meeting_info_labels, expected.metrics.meeting_info_labels);
  EXPECT_EQ(actual.metrics.max_series, expected.metrics.max_series);
  EXPECT_EQ(actual.metrics.audio_quality, expected.metrics.audio_quality);
  EXPECT_EQ(actual.simulator.meetings, expected.simulator.meetings);
  EXPECT_EQ(actual.simulator.participants_per_meeting, expected.simulator.participants_per_meeting);
  EXPECT_EQ(actual.simulator.seed, expected.simulator.seed);
  EXPECT_EQ(actual.simulator.page_size_cap, expected.simulator.page_size_cap);
  EXPECT_EQ(actual.simulator.webinars, expected.simulator.webinars);
  EXPECT_EQ(actual.simulator.load_profile, expected.simulator.load_profile);
  EXPECT_EQ(actual.simulator.enforce_rate_limits, expected.simulator.enforce_rate_limits);
  EXPECT_EQ(actual.simulator.plan, expected.simulator.plan);
  EXPECT_EQ(actual.simulator.speed, expected.simulator.speed);
  EXPECT_EQ(actual.web.config_file, expected.web.config_file);
  EXPECT_EQ(actual.web.open_health_endpoints, expected.web.open_health_endpoints);
}

using test::TempDir;

TEST(LoadConfig, ReadsEverySettingOfAFullFile) {
  const std::string path = kDataDir + "/valid-full.yaml";
  const Config config = load_config(path, options_with());

  EXPECT_EQ(config.source, path);
  EXPECT_EQ(config.listen_host, "127.0.0.1");
  EXPECT_EQ(config.listen_port, 9100);
  EXPECT_EQ(config.log_level, log::Level::debug);
  EXPECT_EQ(config.zoom.account_id, "acct-123");
  EXPECT_EQ(config.zoom.client_id, "client-456");
  EXPECT_EQ(config.zoom.client_secret, kFileSecret);
  EXPECT_EQ(config.zoom.api_base_url, "http://127.0.0.1:8080/zoom/v2");
  EXPECT_EQ(config.zoom.oauth_token_url, "https://login.example.com:8443/oauth/token");
  EXPECT_EQ(config.zoom.request_timeout, 90s);
  EXPECT_EQ(config.zoom.max_response_bytes, 1048576u);
  EXPECT_EQ(config.zoom.qos_page_size, 5);
  EXPECT_EQ(config.zoom.meetings_page_size, 100);
  EXPECT_EQ(config.zoom.max_concurrent_requests, 16);
  EXPECT_EQ(config.poll.interval, 2min);
  EXPECT_FALSE(config.poll.webinars);
  EXPECT_EQ(config.limits.plan, Plan::pro);
  EXPECT_EQ(config.limits.heavy_per_second, 2.5);
  EXPECT_EQ(config.limits.resource_intensive_per_minute, 15);
  EXPECT_EQ(config.limits.daily_requests, 45000);
  EXPECT_EQ(config.limits.daily_share, 0.25);
  EXPECT_EQ(config.watch.interval, 10s);
  EXPECT_EQ(config.watch.meetings, (std::vector<std::string>{"81234567890", "aBc+dEf/GhIjK=="}));
  EXPECT_EQ(config.watch.participants, (std::vector<std::string>{"16778240"}));
  EXPECT_EQ(config.watch.users, (std::vector<std::string>{"ceo@example.com", "Jane Doe"}));
  EXPECT_FALSE(config.metrics.levels.participant);
  EXPECT_TRUE(config.metrics.levels.meeting);
  EXPECT_FALSE(config.metrics.levels.account);
  EXPECT_EQ(config.metrics.participant_info_labels,
            (std::vector<std::string>{"ip_address", "user_name", "domain"}));
  EXPECT_EQ(config.metrics.meeting_info_labels, (std::vector<std::string>{"type", "topic"}));
  EXPECT_EQ(config.metrics.max_series, 0u);
  EXPECT_EQ(config.metrics.audio_quality,
            (qos::QualityThresholds{.good_mos = 4.2, .poor_mos = 3.1}));
  EXPECT_EQ(config.simulator.meetings, 3);
  EXPECT_EQ(config.simulator.participants_per_meeting, 0);
  EXPECT_EQ(config.simulator.seed, 18446744073709551615u);
  EXPECT_EQ(config.simulator.page_size_cap, 300);
  EXPECT_EQ(config.simulator.webinars, 7);
  EXPECT_EQ(config.simulator.load_profile, LoadProfile::workday);
  EXPECT_FALSE(config.simulator.enforce_rate_limits);
  EXPECT_EQ(config.simulator.plan, Plan::pro);
  EXPECT_EQ(config.simulator.speed, 2.5);
  EXPECT_EQ(config.web.config_file, kDataDir + "/web-config.yml");  // beside the config file
  EXPECT_FALSE(config.web.open_health_endpoints);
}

TEST(LoadConfig, ExampleFileLoadsAndDocumentsTheDefaults) {
  // The example names a secret file that exists only on a real host; the environment stands in.
  const Config config = load_config(ZQE_SOURCE_DIR "/config/zoom-qos-exporter.example.yaml",
                                    options_with({{"ZOOM_CLIENT_SECRET", "from-env"}}));

  Config expected;
  expected.zoom.account_id = "your-account-id";
  expected.zoom.client_id = "your-client-id";
  expected.zoom.client_secret = "from-env";
  expect_same_settings(config, expected);
}

TEST(LoadConfig, MissingFileNamesThePathAndTheCause) {
  EXPECT_EQ(error_of([] { load_config("no-such-dir/config.yaml", options_with()); }),
            "no-such-dir/config.yaml: cannot read config file: No such file or directory");
}

TEST(LoadConfig, AnEndlessFileIsRefusedNotRead) {
  EXPECT_EQ(error_of([] { load_config("/dev/zero", options_with()); }),
            "/dev/zero: cannot read config file: File too large");
}

TEST(ParseConfig, EmptyTextGivesTheDefaultsWhenSimulating) {
  const Config config = parse_config("", "empty.yaml", simulate_options());
  EXPECT_EQ(config.source, "empty.yaml");
  expect_same_settings(config, Config{});
}

TEST(ParseConfig, EmptySectionsAndCommentsGiveTheDefaults) {
  const Config config =
      parse_config("# nothing set yet\nzoom:\npoll:\nlimits:\nmetrics:\nsimulator:\n", "empty.yaml",
                   simulate_options());
  expect_same_settings(config, Config{});
}

TEST(ParseConfig, DefaultsMatchTheRequirements) {
  const Config config = parse_config(kCredentials, "test.yaml", options_with());
  EXPECT_EQ(config.listen_host, "0.0.0.0");
  EXPECT_EQ(config.listen_port, 9799);
  EXPECT_EQ(config.log_level, log::Level::info);
  EXPECT_EQ(config.zoom.api_base_url, "https://api.zoom.us/v2");
  EXPECT_EQ(config.zoom.oauth_token_url, "https://zoom.us/oauth/token");
  EXPECT_EQ(config.zoom.request_timeout, 30s);
  EXPECT_EQ(config.zoom.max_response_bytes, 67108864u);
  EXPECT_EQ(config.zoom.qos_page_size, 10);
  EXPECT_EQ(config.zoom.meetings_page_size, 300);
  EXPECT_EQ(config.zoom.max_concurrent_requests, 4);
  EXPECT_EQ(config.poll.interval, 60s);
  EXPECT_TRUE(config.poll.webinars);
  EXPECT_EQ(config.limits.plan, Plan::business);
  EXPECT_EQ(config.limits.heavy_per_second, 40);
  EXPECT_EQ(config.limits.resource_intensive_per_minute, 20);
  EXPECT_EQ(config.limits.daily_requests, 60000);
  EXPECT_EQ(config.limits.daily_share, 0.5);
  EXPECT_EQ(config.metrics.participant_info_labels,
            (std::vector<std::string>{"user_name", "device", "version", "location"}));
  EXPECT_EQ(config.metrics.meeting_info_labels,
            (std::vector<std::string>{"uuid", "topic", "host", "type"}));
  EXPECT_TRUE(config.metrics.levels.participant);
  EXPECT_TRUE(config.metrics.levels.meeting);
  EXPECT_TRUE(config.metrics.levels.account);
  EXPECT_EQ(config.metrics.max_series, 1'000'000u);
  EXPECT_EQ(config.metrics.audio_quality.good_mos, 4.0);
  EXPECT_EQ(config.metrics.audio_quality.poor_mos, 3.6);
  EXPECT_EQ(config.simulator.meetings, 20);
  EXPECT_EQ(config.simulator.participants_per_meeting, 8);
  EXPECT_EQ(config.simulator.seed, 1u);
  EXPECT_EQ(config.simulator.page_size_cap, 10);
  EXPECT_EQ(config.simulator.webinars, 2);
  EXPECT_EQ(config.simulator.load_profile, LoadProfile::flat);
  EXPECT_TRUE(config.simulator.enforce_rate_limits);
  EXPECT_EQ(config.simulator.plan, Plan::business);
  EXPECT_EQ(config.simulator.speed, 1);
  EXPECT_EQ(config.web.config_file, "");
  EXPECT_TRUE(config.web.open_health_endpoints);
}

TEST(ParseConfig, WebConfigFileStartsAtTheConfigFilesDirectory) {
  EXPECT_EQ(
      parse_config("web:\n  config_file: web.yml\n", "/etc/zqe/config.yaml", simulate_options())
          .web.config_file,
      "/etc/zqe/web.yml");
  EXPECT_EQ(parse_config("web:\n  config_file: /srv/web.yml\n", "/etc/zqe/config.yaml",
                         simulate_options())
                .web.config_file,
            "/srv/web.yml");
}

TEST(ParseConfig, EmptyTextNeedsCredentialsUnlessSimulating) {
  EXPECT_EQ(parse_error(""),
            "test.yaml: zoom.account_id: required (or set ZOOM_ACCOUNT_ID or the systemd "
            "credential zoom-account-id)");
  EXPECT_EQ(parse_error("zoom:\n  account_id: a\n  client_id: c\n"),
            "test.yaml: zoom.client_secret: required (or set zoom.client_secret_file, "
            "ZOOM_CLIENT_SECRET, ZOOM_CLIENT_SECRET_FILE or the systemd credential "
            "zoom-client-secret)");
}

TEST(ParseConfig, AcceptsEveryListenForm) {
  const std::pair<std::string_view, std::pair<std::string, int>> cases[] = {
      {"listen: \"[::]:9799\"", {"::", 9799}},   {"listen: \"[::1]:65535\"", {"::1", 65535}},
      {"listen: \":9799\"", {"0.0.0.0", 9799}},  {"listen: localhost:9799", {"localhost", 9799}},
      {"listen: 127.0.0.1:1", {"127.0.0.1", 1}},
  };
  for (const auto& [yaml, expected] : cases) {
    SCOPED_TRACE(yaml);
    const Config config = parse_config(yaml, "test.yaml", simulate_options());
    EXPECT_EQ(config.listen_host, expected.first);
    EXPECT_EQ(config.listen_port, expected.second);
  }
}

TEST(ParseConfig, AcceptsUrlsWithPortsAndIpv6Hosts) {
  const Config config = parse_config(
      "zoom:\n  api_base_url: http://[::1]:8080/v2/\n  oauth_token_url: https://zoom.us\n",
      "test.yaml", simulate_options());
  EXPECT_EQ(config.zoom.api_base_url, "http://[::1]:8080/v2/");
  EXPECT_EQ(config.zoom.oauth_token_url, "https://zoom.us");
}

TEST(ParseConfig, AcceptsAnEmptyLabelList) {
  const Config config =
      parse_config("metrics:\n  participant_info_labels: []\n", "test.yaml", simulate_options());
  EXPECT_TRUE(config.metrics.participant_info_labels.empty());
}

TEST(ParseConfig, AcceptsYamlBooleansInEveryCase) {
  const std::pair<std::string_view, bool> cases[] = {
      {"true", true},   {"True", true},   {"TRUE", true},   {"\"true\"", true},
      {"false", false}, {"False", false}, {"FALSE", false},
  };
  for (const auto& [text, expected] : cases) {
    SCOPED_TRACE(text);
    const std::string yaml = "poll:\n  webinars: " + std::string(text) +
                             "\nsimulator:\n  enforce_rate_limits: " + std::string(text) + "\n";
    const Config config = parse_config(yaml, "test.yaml", simulate_options());
    EXPECT_EQ(config.poll.webinars, expected);
    EXPECT_EQ(config.simulator.enforce_rate_limits, expected);
  }
}

TEST(ParseConfig, ReadsEverySimulatorChoice) {
  const Config workday = parse_config("simulator:\n  load_profile: workday\n  plan: pro\n",
                                      "test.yaml", simulate_options());
  EXPECT_EQ(workday.simulator.load_profile, LoadProfile::workday);
  EXPECT_EQ(workday.simulator.plan, Plan::pro);
  const Config flat = parse_config("simulator:\n  load_profile: flat\n  plan: business\n",
                                   "test.yaml", simulate_options());
  EXPECT_EQ(flat.simulator.load_profile, LoadProfile::flat);
  EXPECT_EQ(flat.simulator.plan, Plan::business);
}

TEST(ParseConfig, AcceptsSimulatorSpeedsFromOneTo3600) {
  const std::pair<std::string_view, double> cases[] = {
      {"1", 1}, {"1.5", 1.5}, {"48", 48}, {"\"60\"", 60}, {"3600", 3600}, {"3.6e3", 3600}};
  for (const auto& [text, expected] : cases) {
    SCOPED_TRACE(text);
    const Config config = parse_config("simulator:\n  speed: " + std::string(text) + "\n",
                                       "test.yaml", simulate_options());
    EXPECT_EQ(config.simulator.speed, expected);
  }
}

TEST(PlanLimits, AreZoomsNumbersForEachPlan) {
  const LimitsConfig pro = plan_limits(Plan::pro);
  EXPECT_EQ(pro.plan, Plan::pro);
  EXPECT_EQ(pro.heavy_per_second, 10);
  EXPECT_EQ(pro.resource_intensive_per_minute, 10);
  EXPECT_EQ(pro.daily_requests, 30000);
  EXPECT_EQ(pro.daily_share, 0.5);

  const LimitsConfig business = plan_limits(Plan::business);
  EXPECT_EQ(business.plan, Plan::business);
  EXPECT_EQ(business.heavy_per_second, 40);
  EXPECT_EQ(business.resource_intensive_per_minute, 20);
  EXPECT_EQ(business.daily_requests, 60000);
  EXPECT_EQ(business.daily_share, 0.5);
}

TEST(PlanLimits, DefaultLimitsAreTheBusinessPlans) {
  const LimitsConfig defaults;
  const LimitsConfig business = plan_limits(Plan::business);
  EXPECT_EQ(defaults.plan, business.plan);
  EXPECT_EQ(defaults.heavy_per_second, business.heavy_per_second);
  EXPECT_EQ(defaults.resource_intensive_per_minute, business.resource_intensive_per_minute);
  EXPECT_EQ(defaults.daily_requests, business.daily_requests);
  EXPECT_EQ(defaults.daily_share, business.daily_share);
}

TEST(LimitsSection, PlanAloneSetsItsThreeNumbers) {
  const Config config = parse_config("limits:\n  plan: pro\n", "test.yaml", simulate_options());
  EXPECT_EQ(config.limits.plan, Plan::pro);
  EXPECT_EQ(config.limits.heavy_per_second, 10);
  EXPECT_EQ(config.limits.resource_intensive_per_minute, 10);
  EXPECT_EQ(config.limits.daily_requests, 30000);
  EXPECT_EQ(config.limits.daily_share, 0.5);
}

TEST(LimitsSection, ExplicitNumbersOverrideThePlanInEitherOrder) {
  constexpr std::string_view kPlanFirst =
      "limits:\n  plan: pro\n  heavy_per_second: 25\n  daily_requests: 40000\n";
  constexpr std::string_view kPlanLast =
      "limits:\n  heavy_per_second: 25\n  daily_requests: 40000\n  plan: pro\n";
  for (const std::string_view yaml : {kPlanFirst, kPlanLast}) {
    SCOPED_TRACE(yaml);
    const Config config = parse_config(yaml, "test.yaml", simulate_options());
    EXPECT_EQ(config.limits.plan, Plan::pro);
    EXPECT_EQ(config.limits.heavy_per_second, 25);
    EXPECT_EQ(config.limits.resource_intensive_per_minute, 10);  // still the pro plan's
    EXPECT_EQ(config.limits.daily_requests, 40000);
  }
}

TEST(LimitsSection, NumbersWithoutAPlanOverrideTheBusinessPlan) {
  const Config config =
      parse_config("limits:\n  resource_intensive_per_minute: 0.5\n  daily_share: 1\n", "test.yaml",
                   simulate_options());
  EXPECT_EQ(config.limits.plan, Plan::business);
  EXPECT_EQ(config.limits.heavy_per_second, 40);
  EXPECT_EQ(config.limits.resource_intensive_per_minute, 0.5);
  EXPECT_EQ(config.limits.daily_requests, 60000);
  EXPECT_EQ(config.limits.daily_share, 1);
}

TEST(LimitsSection, AcceptsTheBoundsAndOtherNumberForms) {
  const Config config = parse_config(
      "limits:\n  heavy_per_second: 1000\n  resource_intensive_per_minute: 1e4\n"
      "  daily_requests: 100000000\n  daily_share: .001\n",
      "test.yaml", simulate_options());
  EXPECT_EQ(config.limits.heavy_per_second, 1000);
  EXPECT_EQ(config.limits.resource_intensive_per_minute, 10000);
  EXPECT_EQ(config.limits.daily_requests, 100000000);
  EXPECT_EQ(config.limits.daily_share, 0.001);
}

TEST(EnvironmentOverrides, ReplaceTheFileValues) {
  const Config config = parse_config(kCredentials, "test.yaml",
                                     options_with({{"ZOOM_ACCOUNT_ID", "env-acct"},
                                                   {"ZOOM_CLIENT_ID", "env-client"},
                                                   {"ZOOM_CLIENT_SECRET", "env-secret"}}));
  EXPECT_EQ(config.zoom.account_id, "env-acct");
  EXPECT_EQ(config.zoom.client_id, "env-client");
  EXPECT_EQ(config.zoom.client_secret, "env-secret");
}

TEST(EnvironmentOverrides, EmptyVariablesDoNotCount) {
  const Config config =
      parse_config(kCredentials, "test.yaml",
                   options_with({{"ZOOM_ACCOUNT_ID", ""}, {"ZOOM_CLIENT_SECRET", ""}}));
  EXPECT_EQ(config.zoom.account_id, "acct");
  EXPECT_EQ(config.zoom.client_secret, "secret");
}

TEST(EnvironmentOverrides, SupplyCredentialsMissingFromTheFile) {
  const Config config = parse_config("log_level: warn\n", "test.yaml",
                                     options_with({{"ZOOM_ACCOUNT_ID", "env-acct"},
                                                   {"ZOOM_CLIENT_ID", "env-client"},
                                                   {"ZOOM_CLIENT_SECRET", "env-secret"}}));
  EXPECT_EQ(config.zoom.account_id, "env-acct");
  EXPECT_EQ(config.zoom.client_id, "env-client");
  EXPECT_EQ(config.zoom.client_secret, "env-secret");
}

TEST(EnvironmentOverrides, SecretVariableMeansTheSecretFileIsNotRead) {
  const Config config =
      parse_config("zoom:\n  account_id: a\n  client_id: c\n  client_secret_file: /no/such/file\n",
                   "test.yaml", options_with({{"ZOOM_CLIENT_SECRET", "env-secret"}}));
  EXPECT_EQ(config.zoom.client_secret, "env-secret");
}

TEST(DefaultConfig, IsTheDefaultsPlusTheEnvironment) {
  const Config simulated = default_config(simulate_options());
  EXPECT_EQ(simulated.source, "(no config file)");
  expect_same_settings(simulated, Config{});

  const Config from_env = default_config(options_with({{"ZOOM_ACCOUNT_ID", "env-acct"},
                                                       {"ZOOM_CLIENT_ID", "env-client"},
                                                       {"ZOOM_CLIENT_SECRET", "env-secret"}}));
  Config expected;
  expected.zoom.account_id = "env-acct";
  expected.zoom.client_id = "env-client";
  expected.zoom.client_secret = "env-secret";
  expect_same_settings(from_env, expected);
}

TEST(DefaultConfig, NeedsCredentialsUnlessSimulating) {
  EXPECT_EQ(error_of([] {
              default_config(options_with({{"ZOOM_ACCOUNT_ID", "a"}}));
            }),
            "(no config file): zoom.client_id: required (or set ZOOM_CLIENT_ID or the systemd "
            "credential zoom-client-id)");
}

TEST(VariableExpansion, ExpandsCredentialsFromTheEnvironment) {
  const Config config = parse_config(
      R"(
zoom:
  account_id: "${ACCOUNT}"
  client_id: "pre-${PART_1}-mid-${PART_2}-post"
  client_secret: "pa$$word $HOME ${SECRET} costs $5 {x}"
)",
      "test.yaml",
      options_with({{"ACCOUNT", "acct"}, {"PART_1", "one"}, {"PART_2", "two"}, {"SECRET", "s"}}));
  EXPECT_EQ(config.zoom.account_id, "acct");
  EXPECT_EQ(config.zoom.client_id, "pre-one-mid-two-post");
  EXPECT_EQ(config.zoom.client_secret, "pa$$word $HOME s costs $5 {x}");
}

TEST(VariableExpansion, SetButEmptyVariableExpandsToNothing) {
  const Config config = parse_config("zoom:\n  client_id: \"id${EMPTY}\"\n", "test.yaml",
                                     {.simulate = true, .env = fake_env({{"EMPTY", ""}})});
  EXPECT_EQ(config.zoom.client_id, "id");
}

TEST(VariableExpansion, AppliesOnlyToCredentials) {
  EXPECT_EQ(
      parse_error("log_level: ${LEVEL}\n",
                  {.simulate = true, .env = fake_env({{"LEVEL", "info"}})}),
      "test.yaml:1:12: log_level: unknown level \"${LEVEL}\" (use debug, info, warn or error)");
}

TEST(VariableExpansion, UnsetVariableIsAnErrorEvenWhenSimulating) {
  EXPECT_EQ(parse_error("zoom:\n  account_id: ${NOPE}\n", simulate_options()),
            "test.yaml:2:15: zoom.account_id: environment variable NOPE is not set");
}

TEST(SecretFile, ContentWithoutTrailingWhitespaceIsTheSecret) {
  const TempDir dir;
  const std::string secret_path = dir.write("secret", "  file secret\t \r\n\n");
  const Config config = parse_config(
      "zoom:\n  account_id: a\n  client_id: c\n  client_secret_file: " + secret_path + "\n",
      "test.yaml", options_with());
  EXPECT_EQ(config.zoom.client_secret, "  file secret");
}

TEST(SecretFile, RelativePathStartsAtTheConfigFilesDirectory) {
  const TempDir dir;
  dir.write("client-secret", "relative secret\n");
  const std::string config_path =
      dir.write("config.yaml",
                "zoom:\n  account_id: a\n  client_id: c\n  client_secret_file: client-secret\n");
  EXPECT_EQ(load_config(config_path, options_with()).zoom.client_secret, "relative secret");
}

TEST(SecretFile, UnreadableFileIsNamedButItsContentIsNot) {
  const TempDir dir;
  const std::string config_path =
      dir.write("config.yaml", "zoom:\n  account_id: a\n  client_id: c\n  client_secret_file: \"" +
                                   dir.path() + "\"\n");
  EXPECT_EQ(error_of([&] { load_config(config_path, options_with()); }),
            config_path + ":4:23: zoom.client_secret_file: cannot read \"" + dir.path() +
                "\": Is a directory");
}

TEST(SecretFile, EmptyFileIsAnError) {
  const TempDir dir;
  const std::string secret_path = dir.write("secret", " \n");
  EXPECT_EQ(parse_error("zoom:\n  client_secret_file: " + secret_path + "\n", simulate_options()),
            "test.yaml:2:23: zoom.client_secret_file: \"" + secret_path + "\" is empty");
}

TEST(SecretFile, ContentNeverAppearsInMessages) {
  const TempDir dir;
  const std::string secret_path = dir.write("secret", "file-secret-content\n");
  const std::string message =
      parse_error("zoom:\n  client_id: \"${UNSET}\"\n  client_secret_file: " + secret_path + "\n");
  EXPECT_EQ(message, "test.yaml:2:14: zoom.client_id: environment variable UNSET is not set");
  EXPECT_EQ(parse_error("zoom:\n  client_secret_file: " + secret_path + "\n"),
            "test.yaml: zoom.account_id: required (or set ZOOM_ACCOUNT_ID or the systemd "
            "credential zoom-account-id)");
}

struct InvalidFile {
  std::string_view name;
  // The message after "PATH"; "DIR" stands for the test data directory.
  std::string_view expected;
};

// One file per kind of mistake, each with its exact message.
const InvalidFile kInvalidFiles[] = {
    {"invalid-unknown-top-level-key.yaml",
     ":2:1: zoom_api: unknown key (known: listen, log_level, zoom, poll, watch, limits, "
     "metrics, simulator, web)"},
    {"invalid-unknown-nested-key.yaml",
     ":4:3: zoom.client_idd: unknown key (known: account_id, client_id, client_secret, "
     "client_secret_file, api_base_url, oauth_token_url, request_timeout, max_response_bytes, "
     "qos_page_size, meetings_page_size, max_concurrent_requests, accounts, shard)"},
    {"invalid-accounts-duplicate-name.yaml",
     ":7:13: zoom.accounts[1].name: duplicate account name \"east\" (also zoom.accounts[0])"},
    {"invalid-accounts-empty-list.yaml",
     ":2:13: zoom.accounts: must list at least one account (or leave it out for the single "
     "account of zoom.account_id)"},
    {"invalid-accounts-empty-name.yaml", ":3:13: zoom.accounts[0].name: must not be empty"},
    {"invalid-accounts-limits-plan.yaml",
     ":8:15: zoom.accounts[0].limits.plan: unknown plan \"enterprise\" (use pro or business)"},
    {"invalid-accounts-missing-client-id.yaml", ":3:7: zoom.accounts[0].client_id: required"},
    {"invalid-accounts-missing-name.yaml",
     ":3:7: zoom.accounts[0].name: required (it is the account label)"},
    {"invalid-accounts-unknown-key.yaml",
     ":7:7: zoom.accounts[0].request_timeout: unknown key (known: name, account_id, client_id, "
     "client_secret, client_secret_file, api_base_url, oauth_token_url, limits)"},
    {"invalid-accounts-with-top-level-credentials.yaml",
     ":2:14: zoom.client_id: cannot be used together with zoom.accounts (set it in each "
     "account)"},
    {"invalid-shard-count-zero.yaml",
     ":2:10: zoom.shard: the shard count must be at least 1, got \"1/0\""},
    {"invalid-shard-index-too-large.yaml",
     ":2:10: zoom.shard: the shard index must be below the count (0/3 to 2/3), got \"3/3\""},
    {"invalid-shard-not-numbers.yaml",
     ":2:10: zoom.shard: invalid shard \"a/b\" (use INDEX/COUNT, e.g. 0/3)"},
    {"invalid-shard-without-accounts.yaml",
     ":5:10: zoom.shard: needs zoom.accounts (the single account of zoom.account_id cannot be "
     "split)"},
    {"invalid-duplicate-key.yaml", ":3:3: poll.interval: duplicate key"},
    {"invalid-web-config-file-empty.yaml",
     ":2:16: web.config_file: must not be empty (leave it out for plain HTTP)"},
    {"invalid-web-open-health-endpoints.yaml",
     ":3:26: web.open_health_endpoints: expected a boolean (true or false), got \"no\""},
    {"invalid-section-not-map.yaml", ":2:7: poll: expected a map, got a scalar"},
    {"invalid-map-for-string.yaml", ":3:5: zoom.account_id: expected a string, got a map"},
    {"invalid-secret-not-string.yaml", ":4:18: zoom.client_secret: expected a string, got a list"},
    {"invalid-string-for-integer.yaml",
     ":2:28: zoom.max_concurrent_requests: must be an integer from 1 to 64"},
    {"invalid-page-size-out-of-range.yaml",
     ":2:18: zoom.qos_page_size: must be an integer from 1 to 300"},
    {"invalid-seed-negative.yaml",
     ":2:9: simulator.seed: must be an integer from 0 to 18446744073709551615"},
    {"invalid-response-limit-too-small.yaml",
     ":2:23: zoom.max_response_bytes: must be an integer from 1024 to 18446744073709551615"},
    {"invalid-duration.yaml",
     ":6:13: poll.interval: invalid duration \"5 minutes\" (use e.g. 60s, 5m, 1h30m)"},
    {"invalid-interval-below-1s.yaml", ":2:13: poll.interval: must be a duration from 1s to 365d"},
    {"invalid-request-timeout-zero.yaml",
     ":2:20: zoom.request_timeout: must be a duration from 1ms to 365d"},
    {"invalid-listen-no-port.yaml",
     ":1:9: listen: \"0.0.0.0\" has no port (use host:port, e.g. 0.0.0.0:9799, [::]:9799 or "
     ":9799)"},
    {"invalid-listen-port-zero.yaml",
     ":1:9: listen: \"0.0.0.0:0\" has an invalid port (must be from 1 to 65535)"},
    {"invalid-listen-port-too-large.yaml",
     ":1:9: listen: \"[::]:70000\" has an invalid port (must be from 1 to 65535)"},
    {"invalid-listen-unbracketed-ipv6.yaml",
     ":1:9: listen: \"::1:9799\" has an invalid host (use a name, an IPv4 address or an IPv6 "
     "address in brackets)"},
    {"invalid-url-scheme.yaml", ":2:17: zoom.api_base_url: must be an http:// or https:// URL"},
    {"invalid-url-no-host.yaml", ":2:20: zoom.oauth_token_url: URL has no host"},
    {"invalid-url-port.yaml",
     ":2:17: zoom.api_base_url: URL has an invalid port (must be from 1 to 65535)"},
    {"invalid-url-query.yaml", ":2:17: zoom.api_base_url: URL must not have a query or fragment"},
    {"invalid-log-level.yaml",
     ":1:12: log_level: unknown level \"verbose\" (use debug, info, warn or error)"},
    {"invalid-unknown-label.yaml",
     ":4:7: metrics.participant_info_labels: unknown label \"email\" (choose from user_name, "
     "device, version, location, ip_address, mac_addr, harddisk_id, pc_name, domain)"},
    {"invalid-duplicate-label.yaml",
     ":2:48: metrics.participant_info_labels: duplicate label \"device\""},
    {"invalid-watch-duplicate.yaml", ":2:49: watch.users: duplicate entry \"ceo@example.com\""},
    {"invalid-watch-empty-entry.yaml", ":2:18: watch.participants: must not be empty"},
    {"invalid-watch-interval.yaml", ":2:13: watch.interval: must be a duration from 1s to 365d"},
    {"invalid-watch-unknown-key.yaml",
     ":2:3: watch.emails: unknown key (known: interval, meetings, participants, users)"},
    {"invalid-meeting-info-label.yaml",
     ":2:32: metrics.meeting_info_labels: unknown label \"password\" (choose from uuid, topic, "
     "host, type)"},
    {"invalid-levels-unknown-key.yaml",
     ":3:5: metrics.levels.participants: unknown key (known: participant, meeting, account)"},
    {"invalid-levels-not-boolean.yaml",
     ":3:14: metrics.levels.meeting: expected a boolean (true or false), got \"off\""},
    {"invalid-max-series-negative.yaml",
     ":2:15: metrics.max_series: must be an integer from 0 to 1000000000"},
    {"invalid-audio-quality-poor-above-good.yaml",
     ":4:15: metrics.audio_quality.poor_mos: poor_mos (3.8) must not be above good_mos (3.5)"},
    {"invalid-audio-quality-good-below-default-poor.yaml",
     ":3:15: metrics.audio_quality.good_mos: poor_mos (3.6) must not be above good_mos (3.2)"},
    {"invalid-audio-quality-mos-out-of-range.yaml",
     ":3:15: metrics.audio_quality.good_mos: must be a number from 1 to 4.5"},
    {"invalid-labels-not-list.yaml",
     ":2:28: metrics.participant_info_labels: expected a list, got a scalar"},
    {"invalid-secret-and-secret-file.yaml",
     ":5:23: zoom.client_secret_file: cannot be used together with zoom.client_secret"},
    {"invalid-unset-variable.yaml",
     ":4:18: zoom.client_secret: environment variable ZQE_TEST_UNSET_VARIABLE is not set"},
    {"invalid-malformed-variable.yaml",
     ":4:18: zoom.client_secret: malformed ${...} reference (use ${NAME} with letters, digits "
     "and underscores)"},
    {"invalid-secret-file-unreadable.yaml",
     ":4:23: zoom.client_secret_file: cannot read \"DIR/no-such-secret-file\": No such file or "
     "directory"},
    {"invalid-yaml-syntax.yaml", ":4:5: invalid YAML: end of sequence flow not found"},
    {"invalid-top-level-not-map.yaml",
     ":1:1: expected a map of settings at the top level, got a list"},
    {"invalid-multiple-documents.yaml", ":3:1: only one YAML document is allowed"},
    {"invalid-boolean.yaml",
     ":3:13: poll.webinars: expected a boolean (true or false), got \"maybe\""},
    {"invalid-limits-not-map.yaml", ":1:9: limits: expected a map, got a scalar"},
    {"invalid-unknown-limits-key.yaml",
     ":3:3: limits.heavy_per_minute: unknown key (known: plan, heavy_per_second, "
     "resource_intensive_per_minute, daily_requests, daily_share)"},
    {"invalid-plan.yaml", ":2:9: limits.plan: unknown plan \"enterprise\" (use pro or business)"},
    {"invalid-heavy-per-second-zero.yaml",
     ":2:21: limits.heavy_per_second: must be a number greater than 0 and at most 1000"},
    {"invalid-string-for-number.yaml",
     ":2:34: limits.resource_intensive_per_minute: must be a number greater than 0 and at most "
     "10000"},
    {"invalid-daily-requests-too-large.yaml",
     ":2:19: limits.daily_requests: must be an integer from 1 to 100000000"},
    {"invalid-daily-share-above-1.yaml",
     ":2:16: limits.daily_share: must be a number greater than 0 and at most 1"},
    {"invalid-simulator-webinars-negative.yaml",
     ":2:13: simulator.webinars: must be an integer from 0 to 100000"},
    {"invalid-load-profile.yaml",
     ":2:17: simulator.load_profile: unknown load profile \"weekend\" (use flat or workday)"},
    {"invalid-simulator-plan.yaml",
     ":2:9: simulator.plan: unknown plan \"Business\" (use pro or business)"},
    {"invalid-simulator-speed-below-1.yaml",
     ":2:10: simulator.speed: must be a number from 1 to 3600"},
    {"invalid-simulator-speed-too-large.yaml",
     ":3:10: simulator.speed: must be a number from 1 to 3600"},
    {"invalid-simulator-speed-not-a-number.yaml",
     ":2:10: simulator.speed: must be a number from 1 to 3600"},
    {"invalid-enforce-rate-limits-number.yaml",
     ":2:24: simulator.enforce_rate_limits: expected a boolean (true or false), got \"1\""},
    {"invalid-missing-credentials.yaml",
     ": zoom.client_id: required (or set ZOOM_CLIENT_ID or the systemd credential "
     "zoom-client-id)"},
    {"invalid-empty-credential.yaml",
     ":2:15: zoom.account_id: must not be empty (or set ZOOM_ACCOUNT_ID or the systemd "
     "credential zoom-account-id)"},
};

std::string expected_message(const InvalidFile& file) {
  std::string message = kDataDir + "/" + std::string(file.name) + std::string(file.expected);
  const auto dir = message.find("\"DIR/");
  if (dir != std::string::npos) message.replace(dir + 1, 3, kDataDir);
  return message;
}

TEST(InvalidFiles, EachHasItsExactMessage) {
  for (const InvalidFile& file : kInvalidFiles) {
    SCOPED_TRACE(file.name);
    const std::string path = kDataDir + "/" + std::string(file.name);
    EXPECT_EQ(error_of([&] { load_config(path, options_with()); }), expected_message(file));
  }
}

TEST(InvalidFiles, EveryInvalidFileInTestdataIsInTheTable) {
  for (const auto& entry : std::filesystem::directory_iterator(kDataDir)) {
    const std::string name = entry.path().filename().string();
    if (!name.starts_with("invalid-")) continue;
    EXPECT_TRUE(std::any_of(std::begin(kInvalidFiles), std::end(kInvalidFiles),
                            [&](const InvalidFile& file) { return file.name == name; }))
        << name;
  }
}

TEST(InvalidFiles, NoMessageContainsASecret) {
  constexpr std::string_view kEnvSecret = "env-Secret-Value";
  for (const InvalidFile& file : kInvalidFiles) {
    SCOPED_TRACE(file.name);
    const std::string path = kDataDir + "/" + std::string(file.name);
    for (const LoadOptions& options :
         {options_with(), options_with({{"ZOOM_CLIENT_SECRET", std::string(kEnvSecret)}})}) {
      const std::string message = error_of([&] { load_config(path, options); });
      EXPECT_EQ(message.find(kFileSecret), std::string::npos) << message;
      EXPECT_EQ(message.find(kEnvSecret), std::string::npos) << message;
    }
  }
}

TEST(InvalidText, MoreMistakes) {
  const std::pair<std::string_view, std::string_view> cases[] = {
      {"listen: \"[::1\"\n",
       "test.yaml:1:9: listen: \"[::1\" has an invalid host (use a name, an IPv4 address or an "
       "IPv6 "
       "address in brackets)"},
      {"listen: \"0.0.0.0:\"\n",
       "test.yaml:1:9: listen: \"0.0.0.0:\" has no port (use host:port, e.g. 0.0.0.0:9799, "
       "[::]:9799 or :9799)"},
      {"listen: \"0.0.0.0:http\"\n",
       "test.yaml:1:9: listen: \"0.0.0.0:http\" has an invalid port (must be from 1 to 65535)"},
      {"zoom:\n  api_base_url: https://user@api.zoom.us/v2\n",
       "test.yaml:2:17: zoom.api_base_url: URL has an invalid host (use a name, an IPv4 address or "
       "an IPv6 address in brackets)"},
      {"zoom:\n  api_base_url: \"https://api.zoom.us/v 2\"\n",
       "test.yaml:2:17: zoom.api_base_url: URL must not contain spaces or control characters"},
      {"zoom:\n  api_base_url: HTTPS://api.zoom.us\n",
       "test.yaml:2:17: zoom.api_base_url: must be an http:// or https:// URL"},
      {"zoom:\n  client_secret: \"${}\"\n",
       "test.yaml:2:18: zoom.client_secret: malformed ${...} reference (use ${NAME} with letters, "
       "digits and underscores)"},
      {"zoom:\n  client_id: \"${1X}\"\n",
       "test.yaml:2:14: zoom.client_id: malformed ${...} reference (use ${NAME} with letters, "
       "digits and underscores)"},
      {"poll:\n  interval: [60s]\n",
       "test.yaml:2:13: poll.interval: expected a duration, got a list"},
      {"poll:\n  interval:\n",
       "test.yaml:2:3: poll.interval: invalid duration \"\" (use e.g. 60s, 5m, 1h30m)"},
      {"poll:\n  interval: 366d\n",
       "test.yaml:2:13: poll.interval: must be a duration from 1s to 365d"},
      {"zoom:\n  qos_page_size: {a: 1}\n",
       "test.yaml:2:18: zoom.qos_page_size: expected an integer, got a map"},
      {"zoom:\n  qos_page_size: 1.5\n",
       "test.yaml:2:18: zoom.qos_page_size: must be an integer from 1 to 300"},
      {"zoom:\n  qos_page_size: 0x10\n",
       "test.yaml:2:18: zoom.qos_page_size: must be an integer from 1 to 300"},
      {"simulator:\n  meetings: 100001\n",
       "test.yaml:2:13: simulator.meetings: must be an integer from 0 to 100000"},
      {"simulator:\n  participants_per_meeting: -1\n",
       "test.yaml:2:29: simulator.participants_per_meeting: must be an integer from 0 to 10000"},
      {"simulator:\n  page_size_cap: 0\n",
       "test.yaml:2:18: simulator.page_size_cap: must be an integer from 1 to 300"},
      {"zoom:\n  meetings_page_size: 301\n",
       "test.yaml:2:23: zoom.meetings_page_size: must be an integer from 1 to 300"},
      {"zoom:\n  max_concurrent_requests: 65\n",
       "test.yaml:2:28: zoom.max_concurrent_requests: must be an integer from 1 to 64"},
      {"metrics:\n  participant_info_labels:\n    - {user_name: 1}\n",
       "test.yaml:3:7: metrics.participant_info_labels: expected a label name, got a map"},
      {"zoom:\n  [a]: b\n", "test.yaml:2:3: zoom: expected a setting name, got a list"},
      {"\"just text\"\n",
       "test.yaml:1:1: expected a map of settings at the top level, got a scalar"},
      {"zoom: {account_id: a\n", "test.yaml:2:1: invalid YAML: end of map flow not found"},
      {"poll:\n  webinars: yes\n",
       "test.yaml:2:13: poll.webinars: expected a boolean (true or false), got \"yes\""},
      {"poll:\n  webinars: off\n",
       "test.yaml:2:13: poll.webinars: expected a boolean (true or false), got \"off\""},
      {"poll:\n  webinars:\n",
       "test.yaml:2:3: poll.webinars: expected a boolean (true or false), got nothing"},
      {"simulator:\n  enforce_rate_limits: [true]\n",
       "test.yaml:2:24: simulator.enforce_rate_limits: expected a boolean (true or false), got a "
       "list"},
      {"limits:\n  heavy_per_second: 1000.5\n",
       "test.yaml:2:21: limits.heavy_per_second: must be a number greater than 0 and at most 1000"},
      {"limits:\n  heavy_per_second: -5\n",
       "test.yaml:2:21: limits.heavy_per_second: must be a number greater than 0 and at most 1000"},
      {"limits:\n  heavy_per_second: nan\n",
       "test.yaml:2:21: limits.heavy_per_second: must be a number greater than 0 and at most 1000"},
      {"limits:\n  heavy_per_second: inf\n",
       "test.yaml:2:21: limits.heavy_per_second: must be a number greater than 0 and at most 1000"},
      {"limits:\n  heavy_per_second: .inf\n",
       "test.yaml:2:21: limits.heavy_per_second: must be a number greater than 0 and at most 1000"},
      {"limits:\n  heavy_per_second: 0x10\n",
       "test.yaml:2:21: limits.heavy_per_second: must be a number greater than 0 and at most 1000"},
      {"limits:\n  heavy_per_second: 40/s\n",
       "test.yaml:2:21: limits.heavy_per_second: must be a number greater than 0 and at most 1000"},
      {"limits:\n  heavy_per_second: {a: 1}\n",
       "test.yaml:2:21: limits.heavy_per_second: expected a number, got a map"},
      {"limits:\n  resource_intensive_per_minute: 10000.01\n",
       "test.yaml:2:34: limits.resource_intensive_per_minute: must be a number greater than 0 and "
       "at most 10000"},
      {"limits:\n  daily_requests: 0\n",
       "test.yaml:2:19: limits.daily_requests: must be an integer from 1 to 100000000"},
      {"limits:\n  daily_requests: 30000.5\n",
       "test.yaml:2:19: limits.daily_requests: must be an integer from 1 to 100000000"},
      {"limits:\n  daily_share: 0\n",
       "test.yaml:2:16: limits.daily_share: must be a number greater than 0 and at most 1"},
      {"limits:\n  daily_share: 50%\n",
       "test.yaml:2:16: limits.daily_share: must be a number greater than 0 and at most 1"},
      {"limits:\n  plan:\n", "test.yaml:2:3: limits.plan: unknown plan \"\" (use pro or business)"},
      {"limits:\n  plan: [pro]\n", "test.yaml:2:9: limits.plan: expected a string, got a list"},
      {"limits:\n  plan: pro\n  plan: business\n", "test.yaml:3:3: limits.plan: duplicate key"},
      {"simulator:\n  webinars: 100001\n",
       "test.yaml:2:13: simulator.webinars: must be an integer from 0 to 100000"},
      {"simulator:\n  speed: 0\n",
       "test.yaml:2:10: simulator.speed: must be a number from 1 to 3600"},
      {"simulator:\n  speed: nan\n",
       "test.yaml:2:10: simulator.speed: must be a number from 1 to 3600"},
      {"simulator:\n  speed: 3600.5\n",
       "test.yaml:2:10: simulator.speed: must be a number from 1 to 3600"},
      {"simulator:\n  speed: [60]\n",
       "test.yaml:2:10: simulator.speed: expected a number, got a list"},
      {"simulator:\n  speed:\n", "test.yaml:2:3: simulator.speed: must be a number from 1 to 3600"},
      {"simulator:\n  load_profile: Flat\n",
       "test.yaml:2:17: simulator.load_profile: unknown load profile \"Flat\" (use flat or "
       "workday)"},
  };
  for (const auto& [yaml, expected] : cases) {
    SCOPED_TRACE(yaml);
    EXPECT_EQ(parse_error(yaml, simulate_options()), expected);
  }
}

// Found by fuzz/config_fuzzer (seed fuzz/corpus/config/regression-stray-comma.yaml): yaml-cpp
// reads a top-level "," as empty documents without end, and YAML::LoadAll() filled memory until
// the process died, at start, at --check-config and at SIGHUP alike.
TEST(InvalidText, StrayTopLevelCommaIsAnErrorNotAnEndlessParse) {
  const std::pair<std::string_view, std::string_view> cases[] = {
      {",", "test.yaml:1:1: only one YAML document is allowed"},
      {"- a\n,\n", "test.yaml:2:1: only one YAML document is allowed"},
  };
  for (const auto& [yaml, expected] : cases) {
    SCOPED_TRACE(yaml);
    // First in a child process under an alarm, so that a relapse fails within seconds instead
    // of taking the machine's memory.
    EXPECT_EXIT(
        {
          alarm(10);
          parse_error(yaml);
          std::_Exit(0);
        },
        testing::ExitedWithCode(0), "");
    if (!HasFailure()) {
      EXPECT_EQ(parse_error(yaml), expected);
    }
  }
}

}  // namespace
}  // namespace zqe::config
