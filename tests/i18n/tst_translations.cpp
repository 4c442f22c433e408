// The translations: translations/confab_ko.ts complete and faithful to its placeholders,
// both .ts files up to date with the sources (a new tr() string without a Korean
// translation fails here), and app/core/translations.cpp loading what was built.

#include "app/core/translations.h"

#include <QCoreApplication>
#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QLibraryInfo>
#include <QProcess>
#include <QRegularExpression>
#include <QSet>
#include <QTemporaryDir>
#include <QTest>
#include <QXmlStreamReader>

#include <algorithm>

namespace {

struct TsMessage
{
    QString context;
    QString source;
    QString comment; // the disambiguation
    bool numerus = false;
    QString type;    // of <translation>: empty (finished), unfinished, vanished, obsolete
    QStringList translations; // one, or each numerus form
    QStringList files; // from <location>, when lupdate wrote any

    QString key() const { return context + QChar(0x1f) + source + QChar(0x1f) + comment; }
    QString describe() const
    {
        QString text = QStringLiteral("[%1] \"%2\"").arg(context, source);
        if (!comment.isEmpty())
            text += QStringLiteral(" (%1)").arg(comment);
        return text;
    }
};

struct TsFile
{
    QString language;
    QList<TsMessage> messages;
    QString error;
};

TsFile readTs(const QString &path)
{
    TsFile ts;
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        ts.error = QStringLiteral("cannot open %1: %2").arg(path, file.errorString());
        return ts;
    }
    QXmlStreamReader xml(&file);
    QString context;
    while (!xml.atEnd()) {
        if (xml.readNext() != QXmlStreamReader::StartElement)
            continue;
        if (xml.name() == QLatin1String("TS")) {
            ts.language = xml.attributes().value(QLatin1String("language")).toString();
        } else if (xml.name() == QLatin1String("name")) {
            context = xml.readElementText();
        } else if (xml.name() == QLatin1String("message")) {
            TsMessage m;
            m.context = context;
            m.numerus = xml.attributes().value(QLatin1String("numerus")) == QLatin1String("yes");
            while (xml.readNextStartElement()) {
                if (xml.name() == QLatin1String("source")) {
                    m.source = xml.readElementText();
                } else if (xml.name() == QLatin1String("comment")) {
                    m.comment = xml.readElementText();
                } else if (xml.name() == QLatin1String("translation")) {
                    m.type = xml.attributes().value(QLatin1String("type")).toString();
                    if (m.numerus) {
                        while (xml.readNextStartElement()) {
                            if (xml.name() == QLatin1String("numerusform"))
                                m.translations.append(xml.readElementText());
                            else
                                xml.skipCurrentElement();
                        }
                    } else {
                        m.translations.append(xml.readElementText());
                    }
                } else if (xml.name() == QLatin1String("location")) {
                    const QString file = xml.attributes().value(QLatin1String("filename")).toString();
                    m.files.append(QFileInfo(path).dir().absoluteFilePath(file));
                    xml.skipCurrentElement();
                } else {
                    xml.skipCurrentElement(); // extracomment, translatorcomment
                }
            }
            ts.messages.append(m);
        }
    }
    if (xml.hasError())
        ts.error = QStringLiteral("%1:%2: %3").arg(path).arg(xml.lineNumber()).arg(xml.errorString());
    return ts;
}

// %1 … %99 and %n (with or without L), as a sorted set: order may change in a translation,
// the set may not.
QStringList placeholders(const QString &text)
{
    static const QRegularExpression pattern(QStringLiteral("%L?([1-9][0-9]?|n)"));
    QSet<QString> found;
    for (auto it = pattern.globalMatch(text); it.hasNext();)
        found.insert(QLatin1Char('%') + it.next().captured(1));
    QStringList sorted(found.begin(), found.end());
    sorted.sort();
    return sorted;
}

QString translated(const TsMessage &m, int n = -1)
{
    const QByteArray context = m.context.toUtf8();
    const QByteArray source = m.source.toUtf8();
    const QByteArray comment = m.comment.toUtf8();
    return QCoreApplication::translate(context.constData(), source.constData(),
                                       m.comment.isEmpty() ? nullptr : comment.constData(), n);
}

QString withN(QString text, int n)
{
    return text.replace(QLatin1String("%n"), QString::number(n));
}

// QTest cuts long failure messages; each problem goes out as a line of its own first.
bool reported(const QStringList &problems, const QString &heading)
{
    if (problems.isEmpty())
        return true;
    qWarning("%s", qPrintable(heading));
    for (const QString &problem : problems)
        qWarning("  %s", qPrintable(problem));
    return false;
}

// CONFAB_SOURCE_ROOT in the environment points the source checks at another tree (to try
// them on a broken copy).
const QString sourceRoot = qEnvironmentVariable("CONFAB_SOURCE_ROOT", QStringLiteral(CONFAB_SOURCE_ROOT));

// lupdate over the same sources as translations/CMakeLists.txt (common/, server/, app/;
// .cpp and .h). Returns its output, or a null string when it did not run or failed.
QString runLupdate(const QStringList &options, const QString &ts)
{
    QProcess lupdate;
    lupdate.setWorkingDirectory(sourceRoot);
    QStringList arguments{ QStringLiteral("-no-obsolete"), QStringLiteral("-extensions"),
                           QStringLiteral("cpp,h"), QStringLiteral("-I"), sourceRoot };
    arguments << options;
    for (const char *subdir : { "common", "server", "app" })
        arguments << QDir(sourceRoot).filePath(QLatin1String(subdir));
    arguments << QStringLiteral("-ts") << ts;
    lupdate.start(QStringLiteral(CONFAB_LUPDATE), arguments);
    if (!lupdate.waitForFinished(60000)) {
        qWarning("lupdate: %s", qPrintable(lupdate.errorString()));
        return {};
    }
    const QString output = QString::fromLocal8Bit(lupdate.readAllStandardOutput()
                                                  + lupdate.readAllStandardError());
    if (lupdate.exitStatus() != QProcess::NormalExit || lupdate.exitCode() != 0) {
        qWarning("lupdate failed: %s", qPrintable(output));
        return {};
    }
    return output;
}
const QString koPath = QStringLiteral(CONFAB_TS_KO);
const QString enPath = QStringLiteral(CONFAB_TS_EN);

} // namespace

class TestTranslations : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void koreanIsComplete();
    void englishHasThePluralForms();
    void upToDateWithTheSources_data();
    void upToDateWithTheSources();
    void helperContextsMatch();
    void loadsKorean();
    void loadsEnglish();
    void configuredLanguage();
    void confabHelp_data();
    void confabHelp();
};

void TestTranslations::koreanIsComplete()
{
    const TsFile ts = readTs(koPath);
    QVERIFY2(ts.error.isEmpty(), qPrintable(ts.error));
    QVERIFY2(ts.language.startsWith(QLatin1String("ko")), qPrintable(ts.language));
    QVERIFY(!ts.messages.isEmpty());

    QStringList problems;
    for (const TsMessage &m : ts.messages) {
        if (m.type == QLatin1String("obsolete") || m.type == QLatin1String("vanished")) {
            problems << m.describe() + QStringLiteral(": no longer in the sources; drop it");
            continue;
        }
        if (m.type == QLatin1String("unfinished"))
            problems << m.describe() + QStringLiteral(": unfinished");
        // Korean has one plural form.
        if (m.translations.size() != 1) {
            problems << m.describe()
                    + QStringLiteral(": %1 translations, Korean has one").arg(m.translations.size());
        }
        for (const QString &t : m.translations) {
            if (t.trimmed().isEmpty()) {
                problems << m.describe() + QStringLiteral(": empty translation");
            } else if (placeholders(t) != placeholders(m.source)) {
                problems << m.describe()
                        + QStringLiteral(": placeholders %1 in \"%2\", the source has %3")
                                  .arg(placeholders(t).join(QLatin1Char(' ')), t,
                                       placeholders(m.source).join(QLatin1Char(' ')));
            }
        }
    }
    QVERIFY2(reported(problems, QStringLiteral("%1 problem(s) in %2:")
                                                    .arg(problems.size()).arg(koPath)),
             "see the lines above");
}

void TestTranslations::englishHasThePluralForms()
{
    const TsFile ts = readTs(enPath);
    QVERIFY2(ts.error.isEmpty(), qPrintable(ts.error));
    QVERIFY2(ts.language.startsWith(QLatin1String("en")), qPrintable(ts.language));

    QStringList problems;
    for (const TsMessage &m : ts.messages) {
        if (!m.numerus) {
            problems << m.describe() + QStringLiteral(": not a plural string (lupdate -pluralonly)");
            continue;
        }
        if (!m.type.isEmpty())
            problems << m.describe() + QStringLiteral(": ") + m.type;
        if (m.translations.size() != 2)
            problems << m.describe() + QStringLiteral(": needs two forms (one, other)");
        for (const QString &t : m.translations) {
            if (t.trimmed().isEmpty())
                problems << m.describe() + QStringLiteral(": empty form");
            // The singular may say "one" instead of %n; every other placeholder stays.
            QStringList expected = placeholders(m.source);
            QStringList got = placeholders(t);
            expected.removeAll(QStringLiteral("%n"));
            got.removeAll(QStringLiteral("%n"));
            if (got != expected)
                problems << m.describe() + QStringLiteral(": placeholders differ in \"%1\"").arg(t);
        }
    }
    QVERIFY2(reported(problems, QStringLiteral("%1 problem(s) in %2:")
                                                    .arg(problems.size()).arg(enPath)),
             "see the lines above");
}

void TestTranslations::upToDateWithTheSources_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<QStringList>("extraOptions");
    QTest::newRow("confab_ko.ts") << koPath << QStringList();
    QTest::newRow("confab_en.ts") << enPath << QStringList{ QStringLiteral("-pluralonly") };
}

// lupdate into a copy: the strings it finds must be exactly those in the file.
void TestTranslations::upToDateWithTheSources()
{
    QFETCH(QString, path);
    QFETCH(QStringList, extraOptions);

    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString copy = dir.filePath(QFileInfo(path).fileName());
    QVERIFY(QFile::copy(path, copy));
    QFile::setPermissions(copy, QFileDevice::ReadOwner | QFileDevice::WriteOwner);

    const QString output =
            runLupdate(QStringList{ QStringLiteral("-locations"), QStringLiteral("none") }
                               + extraOptions,
                       copy);
    QVERIFY(!output.isNull());

    // A tr() lupdate cannot place (a free function's tr()) is a string nobody translates.
    QStringList lost;
    for (const QString &line : output.split(QLatin1Char('\n'))) {
        if (line.contains(QLatin1String("cannot be called without context")))
            lost << line.trimmed();
    }
    QVERIFY2(reported(lost, QStringLiteral("lupdate cannot give these strings a context (use "
                                           "QCoreApplication::translate(\"Context\", …) or a "
                                           "class's tr()):")),
             "see the lines above");

    const TsFile committed = readTs(path);
    const TsFile scanned = readTs(copy);
    QVERIFY2(committed.error.isEmpty(), qPrintable(committed.error));
    QVERIFY2(scanned.error.isEmpty(), qPrintable(scanned.error));
    QHash<QString, bool> inFile; // key -> numerus
    for (const TsMessage &m : committed.messages)
        inFile.insert(m.key(), m.numerus);
    QHash<QString, bool> inSources;
    for (const TsMessage &m : scanned.messages)
        inSources.insert(m.key(), m.numerus);

    QStringList problems;
    for (const TsMessage &m : scanned.messages) {
        if (!inFile.contains(m.key()))
            problems << QStringLiteral("new in the sources: ") + m.describe();
        else if (inFile.value(m.key()) != m.numerus)
            problems << QStringLiteral("plural form changed: ") + m.describe();
    }
    for (const TsMessage &m : committed.messages) {
        if (!inSources.contains(m.key()))
            problems << QStringLiteral("gone from the sources: ") + m.describe();
    }
    QVERIFY2(reported(problems, QStringLiteral("%1 is not up to date with the sources. Run\n"
                                                "  cmake --build <build dir> --target "
                                                "update_translations\n"
                                                "and translate what is new "
                                                "(translations/README.md):")
                                     .arg(QFileInfo(path).fileName())),
             "see the lines above");
}

// A file-local helper, `QString tr(const char *text) { return QCoreApplication::translate(
// "Ctx", text); }`, translates under "Ctx"; lupdate files its callers under the class or
// namespace they are in. Inside another class of that file the two differ, and the string is
// never translated although the .ts has it. Every string lupdate finds in a file with such
// a helper must have the helper's context, or one that exists on its own: a QObject class,
// Q_DECLARE_TR_FUNCTIONS, or a literal context of translate() or QT_TRANSLATE_NOOP().
void TestTranslations::helperContextsMatch()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString ts = dir.filePath(QStringLiteral("located.ts"));
    QVERIFY(!runLupdate({ QStringLiteral("-locations"), QStringLiteral("absolute") }, ts).isNull());
    const TsFile located = readTs(ts);
    QVERIFY2(located.error.isEmpty(), qPrintable(located.error));

    static const QRegularExpression helperPattern(
            QStringLiteral("translate\\(\\s*\"([^\"]+)\"\\s*,\\s*[A-Za-z_]\\w*\\s*[,)]"));
    static const QRegularExpression literalPattern(QStringLiteral(
            "(?:translate|QT_TRANSLATE_NOOP3?|QT_TRANSLATE_N_NOOP3?)\\(\\s*\"([^\"]+)\"\\s*,\\s*\""));
    static const QRegularExpression declaredPattern(
            QStringLiteral("Q_DECLARE_TR_FUNCTIONS\\(\\s*([\\w:]+)\\s*\\)"));
    static const QRegularExpression qobjectPattern(
            QStringLiteral("\\b(?:class|struct)\\s+(?:\\w+\\s+)?(\\w+)[^;{]*\\{\\s*Q_(?:OBJECT|GADGET)\\b"));
    QHash<QString, QSet<QString>> helpers; // file -> its helpers' contexts
    QSet<QString> known;
    for (const char *subdir : { "common", "server", "app" }) {
        QDirIterator it(QDir(sourceRoot).filePath(QLatin1String(subdir)),
                        { QStringLiteral("*.cpp"), QStringLiteral("*.h") }, QDir::Files,
                        QDirIterator::Subdirectories);
        while (it.hasNext()) {
            const QString path = QFileInfo(it.next()).absoluteFilePath();
            QFile file(path);
            QVERIFY2(file.open(QIODevice::ReadOnly), qPrintable(path));
            const QString text = QString::fromUtf8(file.readAll());
            for (auto m = helperPattern.globalMatch(text); m.hasNext();)
                helpers[path].insert(m.next().captured(1));
            for (const QRegularExpression *pattern :
                 { &literalPattern, &declaredPattern, &qobjectPattern }) {
                for (auto m = pattern->globalMatch(text); m.hasNext();)
                    known.insert(m.next().captured(1));
            }
        }
    }
    QVERIFY(!helpers.isEmpty());

    QStringList problems;
    for (const TsMessage &m : located.messages) {
        const QString lastPart = m.context.section(QStringLiteral("::"), -1);
        for (const QString &file : m.files) {
            const QSet<QString> contexts = helpers.value(QFileInfo(file).absoluteFilePath());
            if (contexts.isEmpty() || contexts.contains(m.context) || known.contains(m.context)
                || known.contains(lastPart))
                continue;
            problems << QStringLiteral("%1: %2 is filed under \"%3\", the file's tr() "
                                       "translates under %4")
                                .arg(QDir(sourceRoot).relativeFilePath(file), m.describe(),
                                     m.context,
                                     QStringList(contexts.begin(), contexts.end())
                                             .join(QStringLiteral(", ")));
        }
    }
    QVERIFY2(reported(problems, QStringLiteral("strings that would never be translated "
                                                "(give the class Q_DECLARE_TR_FUNCTIONS(Ctx) "
                                                "or call QCoreApplication::translate):")),
             "see the lines above");
}

void TestTranslations::loadsKorean()
{
    QVERIFY(Translations::installTranslators(*QCoreApplication::instance(), QStringLiteral("ko")));

    // Every finished message of the .ts comes back from the embedded .qm.
    const TsFile ts = readTs(koPath);
    QVERIFY2(ts.error.isEmpty(), qPrintable(ts.error));
    int checked = 0;
    for (const TsMessage &m : ts.messages) {
        if (!m.type.isEmpty() || m.translations.size() != 1 || m.translations.first().isEmpty())
            continue;
        if (m.numerus) {
            QCOMPARE(translated(m, 3), withN(m.translations.first(), 3));
        } else {
            QCOMPARE(translated(m), m.translations.first());
        }
        ++checked;
    }
    QVERIFY(checked > 0);

    // Qt's own strings too, when qt6-translations-l10n is installed.
    const QString qtbase = QDir(QLibraryInfo::path(QLibraryInfo::TranslationsPath))
                                   .filePath(QStringLiteral("qtbase_ko.qm"));
    if (QFile::exists(qtbase))
        QCOMPARE(QCoreApplication::translate("QPlatformTheme", "Cancel"), QStringLiteral("취소"));
    else
        qWarning("%s is missing (Debian: qt6-translations-l10n)", qPrintable(qtbase));
}

void TestTranslations::loadsEnglish()
{
    QVERIFY(Translations::installTranslators(*QCoreApplication::instance(), QStringLiteral("ko")));
    // Replaces the Korean translators.
    QVERIFY(!Translations::installTranslators(*QCoreApplication::instance(), QStringLiteral("en")));

    const TsFile ko = readTs(koPath);
    QVERIFY2(ko.error.isEmpty(), qPrintable(ko.error));
    for (const TsMessage &m : ko.messages) {
        if (!m.numerus)
            QCOMPARE(translated(m), m.source);
    }
    QCOMPARE(QCoreApplication::translate("QPlatformTheme", "Cancel"), QStringLiteral("Cancel"));

    const TsFile en = readTs(enPath);
    QVERIFY2(en.error.isEmpty(), qPrintable(en.error));
    for (const TsMessage &m : en.messages) {
        if (m.translations.size() != 2)
            continue;
        QCOMPARE(translated(m, 1), withN(m.translations.at(0), 1));
        QCOMPARE(translated(m, 2), withN(m.translations.at(1), 2));
    }
}

void TestTranslations::configuredLanguage()
{
    const QByteArray saved = qgetenv(Translations::EnvironmentVariable);
    qputenv(Translations::EnvironmentVariable, "ko");
    QCOMPARE(Translations::configuredLanguage(), QStringLiteral("ko"));
    qputenv(Translations::EnvironmentVariable, saved);
}

void TestTranslations::confabHelp_data()
{
    QTest::addColumn<QString>("confabLanguage");
    QTest::addColumn<QString>("languageVariable");
    QTest::addColumn<bool>("korean");
    QTest::newRow("ko") << QStringLiteral("ko") << QString() << true;
    QTest::newRow("en") << QStringLiteral("en") << QStringLiteral("ko") << false;
    QTest::newRow("system, LANGUAGE=ko") << QStringLiteral("system") << QStringLiteral("ko")
                                         << true;
    QTest::newRow("system, LANGUAGE=en:ko") << QStringLiteral("system")
                                            << QStringLiteral("en:ko") << false;
}

// The program itself: main.cpp installs the translators before describing its options.
void TestTranslations::confabHelp()
{
    QFETCH(QString, confabLanguage);
    QFETCH(QString, languageVariable);
    QFETCH(bool, korean);
    const QString binary = qEnvironmentVariable("CONFAB_BINARY");
    if (binary.isEmpty() || !QFileInfo::exists(binary))
        QSKIP("CONFAB_BINARY is not built");

    const TsFile ts = readTs(koPath);
    QVERIFY2(ts.error.isEmpty(), qPrintable(ts.error));
    const QString source = QStringLiteral("Confab: chat rooms for the local network.");
    QString expected = source;
    if (korean) {
        const auto it = std::find_if(ts.messages.cbegin(), ts.messages.cend(),
                                     [&](const TsMessage &m) {
                                         return m.context == QLatin1String("main")
                                             && m.source == source;
                                     });
        QVERIFY2(it != ts.messages.cend(), "main.cpp's description is not in confab_ko.ts");
        expected = it->translations.value(0);
    }

    QTemporaryDir home;
    QVERIFY(home.isValid());
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("CONFAB_LANGUAGE"), confabLanguage);
    env.insert(QStringLiteral("XDG_CONFIG_HOME"), home.path());
    env.insert(QStringLiteral("LC_ALL"), QStringLiteral("C.UTF-8"));
    if (languageVariable.isEmpty())
        env.remove(QStringLiteral("LANGUAGE"));
    else
        env.insert(QStringLiteral("LANGUAGE"), languageVariable);
    QProcess confab;
    confab.setProcessEnvironment(env);
    confab.start(binary, { QStringLiteral("--help") });
    QVERIFY2(confab.waitForFinished(30000), qPrintable(confab.errorString()));
    const QString help = QString::fromUtf8(confab.readAllStandardOutput());
    QVERIFY2(help.contains(expected), qPrintable(help));
}

QTEST_GUILESS_MAIN(TestTranslations)
#include "tst_translations.moc"
