const page = (titleCy: string, titleEn: string, cy: string, en: string) => `<!doctype html>
<html lang="cy"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${titleCy} / ${titleEn}</title>
<style>body{font-family:system-ui,sans-serif;max-width:42rem;margin:2rem auto;padding:0 1rem;line-height:1.5}section+section{border-top:1px solid #ccc;margin-top:2rem}</style>
</head><body>
<section lang="cy"><h1>${titleCy}</h1>${cy}</section>
<section lang="en"><h1>${titleEn}</h1>${en}</section>
</body></html>`;

export const PRIVACY_HTML = page(
  'Hysbysiad preifatrwydd: Bot Cynhwysiant',
  'Privacy notice: Inclusion bot',
  `<p>Mae'r Bot Cynhwysiant yn prosesu gwybodaeth am ddysgwyr ag anghenion dysgu ychwanegol ar ran y cyngor, sef y rheolydd data. Caiff y data ei gadw yn safle SharePoint y cyngor ei hun, gyda chaniatâd cyfyngedig.</p>
<p>Mae cardiau a rennir mewn sianeli yn dangos cyfeirnod yr achos, blaenlythrennau a'r llwybr yn unig. Caiff pob darlleniad a newid i atgyfeiriad ei gofnodi. Nid yw'r logiau byth yn cynnwys enwau, dyddiadau geni na disgrifiadau o anghenion.</p>
<p>I ofyn am eich data neu i gwyno, cysylltwch â Swyddog Diogelu Data'r cyngor.</p>`,
  `<p>The Inclusion bot processes information about learners with additional learning needs on behalf of the council, which is the data controller. The data is kept in the council's own SharePoint site, under narrowed permissions.</p>
<p>Cards shared in channels show only the case reference, initials and route. Every read and change of a referral is recorded in an audit trail. Logs never contain names, dates of birth or descriptions of needs.</p>
<p>To request your data or to complain, contact the council's Data Protection Officer.</p>`,
);

export const TERMS_HTML = page(
  'Telerau defnyddio: Bot Cynhwysiant',
  'Terms of use: Inclusion bot',
  `<p>Dim ond staff ysgolion a'r cyngor sydd â rôl yn y gwasanaeth cynhwysiant all ddefnyddio'r gwasanaeth hwn, at ddibenion atgyfeirio, paneli ac adolygiadau statudol. Peidiwch â rhoi mwy o wybodaeth nag sydd ei angen.</p>`,
  `<p>This service may be used only by school and council staff with a role in the inclusion service, for referrals, panels and statutory reviews. Do not enter more information than is needed.</p>`,
);
