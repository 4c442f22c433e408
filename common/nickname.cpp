#include "common/nickname.h"

#include "common/limits.h"

#include <QCoreApplication>

namespace Confab::Nickname {

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("Confab::Nickname", text);
}

bool isForbidden(char32_t ucs4)
{
    switch (QChar::category(ucs4)) {
    case QChar::Other_Control:
    case QChar::Other_Format: // zero-width space/joiners, bidi overrides, BOM
    case QChar::Other_Surrogate:
    case QChar::Other_NotAssigned:
    case QChar::Other_PrivateUse:
    case QChar::Separator_Line:
    case QChar::Separator_Paragraph:
        return true;
    default:
        break;
    }
    // Invisible characters Unicode files under letters or marks.
    switch (ucs4) {
    case 0x115F: // Hangul choseong filler
    case 0x1160: // Hangul jungseong filler
    case 0x3164: // Hangul filler
    case 0xFFA0: // half-width Hangul filler
    case 0x034F: // combining grapheme joiner
    case 0x2800: // braille blank
        return true;
    default:
        return false;
    }
}

} // namespace

Checked check(const QString &raw)
{
    const QString nick = raw.normalized(QString::NormalizationForm_KC);
    const QList<uint> codePoints = nick.toUcs4();
    if (codePoints.isEmpty())
        return { {}, tr("A nickname cannot be empty.") };
    if (codePoints.size() > Limits::MaxNickLength)
        return { {}, tr("A nickname can have at most %1 characters.").arg(Limits::MaxNickLength) };
    for (uint c : codePoints) {
        if (isForbidden(char32_t(c)))
            return { {}, tr("A nickname cannot contain invisible or control characters.") };
    }
    if (nick.trimmed() != nick || nick.trimmed().isEmpty())
        return { {}, tr("A nickname cannot begin or end with a space.") };
    return { nick, {} };
}

QString key(const QString &nick)
{
    return nick.normalized(QString::NormalizationForm_KC).toCaseFolded();
}

} // namespace Confab::Nickname
