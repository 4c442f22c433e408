#include "app/ui/chattext.h"

#include <QCoreApplication>
#include <QRegularExpression>

#include <algorithm>

namespace ChatText {

QString typingText(const QStringList &nicks)
{
    const auto tr = [](const char *text, int n = -1) {
        return QCoreApplication::translate("ChatText", text, nullptr, n);
    };
    switch (nicks.size()) {
    case 0:
        return {};
    case 1:
        return tr("%1 is typing…").arg(nicks.at(0));
    case 2:
        return tr("%1 and %2 are typing…").arg(nicks.at(0), nicks.at(1));
    case 3:
        return tr("%1, %2 and %3 are typing…").arg(nicks.at(0), nicks.at(1), nicks.at(2));
    default:
        return tr("%1, %2 and %n others are typing…", int(nicks.size() - 2))
            .arg(nicks.at(0), nicks.at(1));
    }
}

bool mentions(const QString &text, const QString &nick)
{
    if (nick.isEmpty())
        return false;
    const QString escaped = QRegularExpression::escape(nick);
    const QRegularExpression at(QStringLiteral("(^|[^\\w@])@%1(?![\\w])").arg(escaped),
                                QRegularExpression::CaseInsensitiveOption
                                    | QRegularExpression::UseUnicodePropertiesOption);
    if (at.match(text).hasMatch())
        return true;
    const QRegularExpression start(QStringLiteral("^\\s*%1[:,]").arg(escaped),
                                   QRegularExpression::CaseInsensitiveOption);
    return start.match(text).hasMatch();
}

QList<Link> links(const QString &text)
{
    static const QRegularExpression pattern(QStringLiteral("\\bhttps?://[^\\s<>\"]+"),
                                            QRegularExpression::CaseInsensitiveOption);
    QList<Link> found;
    for (auto it = pattern.globalMatch(text); it.hasNext();) {
        const QRegularExpressionMatch match = it.next();
        QString candidate = match.captured();
        // "see https://example.com/x." or "(https://example.com)": the punctuation is prose.
        static const QString trailing = QStringLiteral(".,;:!?')]}");
        while (!candidate.isEmpty() && trailing.contains(candidate.back())) {
            if (candidate.back() == QLatin1Char(')') && candidate.count(QLatin1Char('('))
                    >= candidate.count(QLatin1Char(')')))
                break; // a balanced parenthesis belongs to the URL (Wikipedia links)
            candidate.chop(1);
        }
        const QUrl url(candidate, QUrl::StrictMode);
        if (!url.isValid() || url.host().isEmpty())
            continue;
        found.append(Link { int(match.capturedStart()), int(candidate.size()), url });
    }
    return found;
}

QString excerpt(const QString &text, int maxChars)
{
    QString line = text.section(QLatin1Char('\n'), 0, 0).trimmed();
    const bool more = line.size() > maxChars || text.trimmed().contains(QLatin1Char('\n'));
    if (line.size() > maxChars)
        line = line.left(maxChars).trimmed();
    return more ? line + QStringLiteral("…") : line;
}

Completion completionAt(const QString &text, int cursor)
{
    cursor = qBound(0, cursor, int(text.size()));
    int start = cursor;
    while (start > 0 && !text.at(start - 1).isSpace())
        --start;
    const QString word = text.mid(start, cursor - start);
    if (word.startsWith(QLatin1Char('@')))
        return Completion { start, word.mid(1), false };
    const bool lineStart = start == 0 || text.at(start - 1) == QLatin1Char('\n');
    if (lineStart && !word.isEmpty())
        return Completion { start, word, true };
    return {};
}

QStringList candidates(const QStringList &nicks, const QString &prefix, const QString &self)
{
    QStringList matching;
    for (const QString &nick : nicks) {
        if (nick.startsWith(prefix, Qt::CaseInsensitive)
            && nick.compare(self, Qt::CaseInsensitive) != 0)
            matching.append(nick);
    }
    std::sort(matching.begin(), matching.end(), [](const QString &a, const QString &b) {
        return a.compare(b, Qt::CaseInsensitive) < 0;
    });
    return matching;
}

} // namespace ChatText
