#pragma once

#include <QString>

class QCoreApplication;

// The user interface language: Confab's own translations (embedded as :/i18n/confab_*.qm)
// and Qt's (qtbase, qtwebsockets from QLibraryInfo::TranslationsPath, Debian package
// qt6-translations-l10n).
namespace Translations {

// The QSettings key holding the choice: "system" (the default), "en" or "ko".
inline constexpr char SettingsKey[] = "ui/language";

// The environment variable that overrides the setting for one run ("en", "ko", "system"):
// tests pin English with it, screenshots and translators pick Korean.
inline constexpr char EnvironmentVariable[] = "CONFAB_LANGUAGE";

// CONFAB_LANGUAGE when set, else the language stored in QSettings under SettingsKey, else
// "system". Needs the application and organisation names set.
QString configuredLanguage();

// Installs the translators for `language` ("system", "en", "ko"; anything else counts as
// "system") on `app`, replacing any installed by an earlier call. "system" follows
// QLocale::system().uiLanguages() (LANGUAGE, LC_ALL, LC_MESSAGES, LANG on Unix): the first of
// Korean and English found wins, English when neither is there. English loads confab_en.qm for the plural forms of %n strings.
// Returns whether the Korean translation was loaded.
bool installTranslators(QCoreApplication &app, const QString &language);

} // namespace Translations
