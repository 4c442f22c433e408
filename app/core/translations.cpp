#include "app/core/translations.h"

#include <QCoreApplication>
#include <QLibraryInfo>
#include <QLocale>
#include <QSettings>
#include <QTranslator>

namespace Translations {

namespace {

// Marks the translators this file installs, so that the next call can take them out.
constexpr char TranslatorName[] = "confab-translator";

QLocale chosenLocale(const QString &language)
{
    if (language == QLatin1String("ko"))
        return QLocale(QLocale::Korean, QLocale::SouthKorea);
    if (language == QLatin1String("en"))
        return QLocale(QLocale::English, QLocale::UnitedStates);
    return QLocale::system();
}

// Korean or English, whichever comes first among the locale's UI languages (English when
// neither is there: the sources are English).
bool prefersKorean(const QLocale &locale)
{
    const QStringList languages = locale.uiLanguages();
    for (const QString &name : languages) {
        const QLocale::Language language = QLocale(name).language();
        if (language == QLocale::Korean)
            return true;
        if (language == QLocale::English)
            return false;
    }
    return false;
}

bool install(QCoreApplication &app, const QString &fileName, const QString &directory)
{
    auto *translator = new QTranslator(&app);
    translator->setObjectName(QLatin1String(TranslatorName));
    if (translator->load(fileName, directory) && QCoreApplication::installTranslator(translator))
        return true;
    delete translator;
    return false;
}

} // namespace

QString configuredLanguage()
{
    const QString override = qEnvironmentVariable(EnvironmentVariable).trimmed();
    if (!override.isEmpty())
        return override;
    const QSettings settings;
    return settings.value(QLatin1String(SettingsKey), QStringLiteral("system")).toString();
}

bool installTranslators(QCoreApplication &app, const QString &language)
{
    const QList<QTranslator *> previous =
        app.findChildren<QTranslator *>(QLatin1String(TranslatorName), Qt::FindDirectChildrenOnly);
    for (QTranslator *translator : previous) {
        QCoreApplication::removeTranslator(translator);
        delete translator;
    }

    const QString qtDirectory = QLibraryInfo::path(QLibraryInfo::TranslationsPath);
    const QString ours = QStringLiteral(":/i18n");
    if (prefersKorean(chosenLocale(language))
        && install(app, QStringLiteral("confab_ko"), ours)) {
        // Qt's own strings (standard buttons, context menus, socket errors). Missing files
        // only leave those in English.
        install(app, QStringLiteral("qtbase_ko"), qtDirectory);
        install(app, QStringLiteral("qtwebsockets_ko"), qtDirectory);
        return true;
    }
    install(app, QStringLiteral("confab_en"), ours);
    return false;
}

} // namespace Translations
