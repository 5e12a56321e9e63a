// Where the client secret (and the ids) come from, in which order, what goes wrong with each
// source, and the warnings about files others may read.
#include <gtest/gtest.h>

#include <map>
#include <string>

#include "config/config.hpp"
#include "config/config_test_support.hpp"
#include "support/temp_dir.hpp"

namespace zqe::config {
namespace {

using test::TempDir;

constexpr std::string_view kIds = "zoom:\n  account_id: a\n  client_id: c\n";

std::string secret_of(std::string_view yaml, std::map<std::string, std::string> variables) {
  return parse_config(yaml, "test.yaml", options_with(std::move(variables))).zoom.client_secret;
}

std::vector<std::string> warnings_of(std::string_view yaml,
                                     std::map<std::string, std::string> variables = {}) {
  return parse_config(yaml, "test.yaml", options_with(std::move(variables))).warnings;
}

TEST(SecretSources, PrecedenceIsVariableThenFileVariableThenConfigThenCredential) {
  const TempDir dir;
  const std::string file_from_environment = dir.write("from-env-file", "env-file-secret\n");
  dir.write("zoom-client-secret", "credential-secret\n");
  const std::string credentials = "CREDENTIALS_DIRECTORY";
  const std::string with_file = std::string(kIds) + "  client_secret_file: " +
                                dir.write("from-config-file", "config-file-secret\n") + "\n";
  const std::string with_literal = std::string(kIds) + "  client_secret: config-secret\n";

  EXPECT_EQ(secret_of(with_file, {{"ZOOM_CLIENT_SECRET", "env-secret"}, {credentials, dir.path()}}),
            "env-secret");
  EXPECT_EQ(secret_of(with_file, {{"ZOOM_CLIENT_SECRET_FILE", file_from_environment},
                                  {credentials, dir.path()}}),
            "env-file-secret");
  EXPECT_EQ(secret_of(with_file, {{credentials, dir.path()}}), "config-file-secret");
  EXPECT_EQ(secret_of(with_literal, {{credentials, dir.path()}}), "config-secret");
  EXPECT_EQ(secret_of(kIds, {{credentials, dir.path()}}), "credential-secret");
}

TEST(SecretSources, AVariableThatWinsMeansNoLowerSourceIsRead) {
  // Each lower source would fail if it were read.
  const std::string broken = std::string(kIds) + "  client_secret_file: /no/such/file\n";
  EXPECT_EQ(secret_of(broken, {{"ZOOM_CLIENT_SECRET", "env-secret"}}), "env-secret");
  const TempDir dir;
  const std::string file = dir.write("secret", "env-file-secret");
  EXPECT_EQ(secret_of(std::string(kIds) + "  client_secret: \"${UNSET}\"\n",
                      {{"ZOOM_CLIENT_SECRET_FILE", file}}),
            "env-file-secret");
}

TEST(SecretSources, BothSecretVariablesAtOnceAreAnError) {
  EXPECT_EQ(parse_error(kIds, options_with({{"ZOOM_CLIENT_SECRET", "env-secret"},
                                            {"ZOOM_CLIENT_SECRET_FILE", "/run/secrets/x"}})),
            "test.yaml: ZOOM_CLIENT_SECRET_FILE: cannot be used together with ZOOM_CLIENT_SECRET");
}

TEST(SecretSources, TheFileVariableNamesItselfThePathAndTheCause) {
  const TempDir dir;
  EXPECT_EQ(parse_error(kIds, options_with({{"ZOOM_CLIENT_SECRET_FILE", dir.path() + "/none"}})),
            "test.yaml: ZOOM_CLIENT_SECRET_FILE: cannot read \"" + dir.path() +
                "/none\": No such file or directory");
  const std::string empty = dir.write("empty", "\n\n");
  EXPECT_EQ(parse_error(kIds, options_with({{"ZOOM_CLIENT_SECRET_FILE", empty}})),
            "test.yaml: ZOOM_CLIENT_SECRET_FILE: \"" + empty + "\" is empty");
  EXPECT_EQ(
      parse_error(kIds, options_with({{"ZOOM_CLIENT_SECRET_FILE", dir.path()}})),
      "test.yaml: ZOOM_CLIENT_SECRET_FILE: cannot read \"" + dir.path() + "\": Is a directory");
}

TEST(SecretSources, AnEndlessOrHugeFileIsRefusedNotRead) {
  EXPECT_EQ(parse_error(kIds, options_with({{"ZOOM_CLIENT_SECRET_FILE", "/dev/zero"}})),
            "test.yaml: ZOOM_CLIENT_SECRET_FILE: cannot read \"/dev/zero\": File too large");
  const TempDir dir;
  const std::string huge = dir.write("huge", std::string(64 * 1024 + 1, 'x'));
  EXPECT_EQ(parse_error(kIds, options_with({{"ZOOM_CLIENT_SECRET_FILE", huge}})),
            "test.yaml: ZOOM_CLIENT_SECRET_FILE: cannot read \"" + huge + "\": File too large");
}

TEST(SecretSources, AnEmptyFileVariableDoesNotCount) {
  EXPECT_EQ(secret_of(std::string(kIds) + "  client_secret: file-secret\n",
                      {{"ZOOM_CLIENT_SECRET_FILE", ""}}),
            "file-secret");
}

TEST(SecretSources, ACredentialDirectoryWithoutTheCredentialIsNoSource) {
  const TempDir dir;
  dir.write("some-other-credential", "x");
  EXPECT_EQ(parse_error(kIds, options_with({{"CREDENTIALS_DIRECTORY", dir.path()}})),
            "test.yaml: zoom.client_secret: required (or set zoom.client_secret_file, "
            "ZOOM_CLIENT_SECRET, ZOOM_CLIENT_SECRET_FILE or the systemd credential "
            "zoom-client-secret)");
}

TEST(SecretSources, ACredentialThatCannotBeReadIsAnErrorNotAFallThrough) {
  const TempDir dir;
  std::filesystem::create_directory(dir.path() + "/zoom-client-secret");
  EXPECT_EQ(parse_error(kIds, options_with({{"CREDENTIALS_DIRECTORY", dir.path()}})),
            "test.yaml: systemd credential zoom-client-secret: cannot read \"" + dir.path() +
                "/zoom-client-secret\": Is a directory");
  const TempDir empty_dir;
  const std::string empty = empty_dir.write("zoom-client-secret", " \n");
  EXPECT_EQ(parse_error(kIds, options_with({{"CREDENTIALS_DIRECTORY", empty_dir.path()}})),
            "test.yaml: systemd credential zoom-client-secret: \"" + empty + "\" is empty");
}

TEST(SecretSources, TheSecretFilePathExpandsVariables) {
  const TempDir dir;
  dir.write("zoom-client-secret", "credential-secret\n");
  const std::string yaml =
      std::string(kIds) + "  client_secret_file: \"${CREDENTIALS_DIRECTORY}/zoom-client-secret\"\n";
  EXPECT_EQ(secret_of(yaml, {{"CREDENTIALS_DIRECTORY", dir.path()}}), "credential-secret");
  EXPECT_EQ(parse_error(yaml),
            "test.yaml:4:23: zoom.client_secret_file: environment variable CREDENTIALS_DIRECTORY "
            "is not set");
}

TEST(CredentialSources, IdsComeFromCredentialsWhenNothingElseSetsThem) {
  const TempDir dir;
  dir.write("zoom-account-id", "credential-account\n");
  dir.write("zoom-client-id", "credential-client\n", 0644);
  dir.write("zoom-client-secret", "credential-secret\n");
  const Config only_credentials =
      parse_config("", "test.yaml", options_with({{"CREDENTIALS_DIRECTORY", dir.path()}}));
  EXPECT_EQ(only_credentials.zoom.account_id, "credential-account");
  EXPECT_EQ(only_credentials.zoom.client_id, "credential-client");
  EXPECT_EQ(only_credentials.zoom.client_secret, "credential-secret");
  EXPECT_TRUE(only_credentials.warnings.empty());  // ids are no secret

  const Config overridden = parse_config(
      "zoom:\n  account_id: file-account\n", "test.yaml",
      options_with({{"CREDENTIALS_DIRECTORY", dir.path()}, {"ZOOM_CLIENT_ID", "env-client"}}));
  EXPECT_EQ(overridden.zoom.account_id, "file-account");
  EXPECT_EQ(overridden.zoom.client_id, "env-client");
}

TEST(CredentialSources, MissingIdsNameEverySource) {
  EXPECT_EQ(parse_error(""),
            "test.yaml: zoom.account_id: required (or set ZOOM_ACCOUNT_ID or the systemd "
            "credential zoom-account-id)");
}

// --- Warnings

TEST(SecretFileWarnings, NameTheFileWhoMayUseItAndTheFix) {
  const TempDir dir;
  const std::pair<mode_t, std::string_view> cases[] = {
      {0644, "readable by others (mode 0644)"},
      {0604, "readable by others (mode 0604)"},
      {0640, "readable by its group (mode 0640)"},
      {0620, "open to its group or others (mode 0620)"},
      {0601, "open to its group or others (mode 0601)"},
  };
  for (const auto& [mode, problem] : cases) {
    SCOPED_TRACE(problem);
    const std::string path = dir.write("secret", "file-secret", mode);
    EXPECT_EQ(warnings_of(std::string(kIds) + "  client_secret_file: " + path + "\n"),
              std::vector<std::string>{"test.yaml:4:23: zoom.client_secret_file: secret file \"" +
                                       path + "\" is " + std::string(problem) + "; chmod 600 it"});
  }
}

TEST(SecretFileWarnings, NoneForAFileOnlyItsOwnerMayUse) {
  const TempDir dir;
  for (const mode_t mode : {0600, 0400, 0700}) {
    const std::string path = dir.write("secret", "file-secret", mode);
    EXPECT_TRUE(warnings_of(std::string(kIds) + "  client_secret_file: " + path + "\n").empty())
        << mode;
  }
}

TEST(SecretFileWarnings, CoverTheFileVariableAndTheCredential) {
  const TempDir dir;
  const std::string path = dir.write("zoom-client-secret", "file-secret", 0644);
  EXPECT_EQ(warnings_of(kIds, {{"ZOOM_CLIENT_SECRET_FILE", path}}),
            std::vector<std::string>{"test.yaml: ZOOM_CLIENT_SECRET_FILE: secret file \"" + path +
                                     "\" is readable by others (mode 0644); chmod 600 it"});
  EXPECT_EQ(
      warnings_of(kIds, {{"CREDENTIALS_DIRECTORY", dir.path()}}),
      std::vector<std::string>{"test.yaml: systemd credential zoom-client-secret: secret file \"" +
                               path + "\" is readable by others (mode 0644); chmod 600 it"});
}

TEST(ConfigFileWarnings, ALiteralSecretInAFileOthersMayRead) {
  const TempDir dir;
  const std::string yaml = std::string(kIds) + "  client_secret: \"in-${PART}-file\"\n";
  const std::string path = dir.write("config.yaml", yaml, 0644);
  const LoadOptions options = options_with({{"PART", "the"}});
  EXPECT_EQ(
      load_config(path, options).warnings,
      std::vector<std::string>{path + ":4:18: zoom.client_secret: config file \"" + path +
                               "\" holds the secret and is readable by others (mode 0644); "
                               "chmod o-r it, or move the secret to zoom.client_secret_file"});
  // Even when the environment overrides it: the file still holds a secret.
  EXPECT_EQ(load_config(path, options_with({{"PART", "x"}, {"ZOOM_CLIENT_SECRET", "env"}}))
                .warnings.size(),
            1u);
  // Readable by its group only, as for a config the service's group reads: no warning.
  dir.write("config.yaml", yaml, 0640);
  EXPECT_TRUE(load_config(path, options).warnings.empty());
}

TEST(ConfigFileWarnings, NoneForAReferenceOrForTextThatIsNoFile) {
  const TempDir dir;
  const std::string path =
      dir.write("config.yaml", std::string(kIds) + "  client_secret: \"${A}${B}\"\n", 0644);
  EXPECT_TRUE(load_config(path, options_with({{"A", "sec"}, {"B", "ret"}})).warnings.empty());
  EXPECT_TRUE(warnings_of(std::string(kIds) + "  client_secret: literal\n").empty());
}

// --- Messages never carry the secret's text

TEST(SecretInMessages, YamlErrorsOnTheSecretsLineKeepOnlyTheirPosition) {
  // yaml-cpp would append the characters at fault, here the secret's first ones.
  EXPECT_EQ(parse_error("zoom:\n  client_secret: \"\\s3cret\"\n", simulate_options()),
            "test.yaml:2:21: invalid YAML: unknown escape character");
  EXPECT_EQ(parse_error("zoom:\n  client_secret: \"\\UFFFFFFFFs3cret\"\n", simulate_options()),
            "test.yaml:2:29: invalid YAML: invalid unicode");
  EXPECT_EQ(parse_error("zoom:\n  client_secret: \"\\Us3cret-s3cret\"\n", simulate_options()),
            "test.yaml:2:29: invalid YAML: bad character found while scanning hex number");
  EXPECT_EQ(parse_error("zoom:\n  client_secret: [s3cret-s3cret\n", simulate_options()),
            "test.yaml:3:1: invalid YAML: end of sequence flow not found");
}

TEST(SecretInMessages, WrongTypesAndUnknownKeysBesideTheSecretDoNotQuoteIt) {
  EXPECT_EQ(parse_error("zoom:\n  client_secret: {s3cret-s3cret: 1}\n", simulate_options()),
            "test.yaml:2:18: zoom.client_secret: expected a string, got a map");
  const std::string unknown =
      parse_error("zoom:\n  client_secret: s3cret-s3cret\n  client_secrett: s3cret-s3cret\n",
                  simulate_options());
  EXPECT_TRUE(unknown.starts_with("test.yaml:3:3: zoom.client_secrett: unknown key")) << unknown;
  EXPECT_EQ(unknown.find("s3cret"), std::string::npos) << unknown;
}

}  // namespace
}  // namespace zqe::config
