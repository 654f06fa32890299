/*
 * Cross-language concepts of the learned classifier (co_clf_text.h):
 * words of six languages that mean the same thing in job mail share one
 * concept feature ("@interview" for "interview", "entretien", "entrevista",
 * "Vorstellungsgespräch", "sollicitatiegesprek"), so that a model trained
 * mostly on English mail recognises a French rejection. The words are
 * ordinary dictionary words, not phrases of any data set; each is stemmed
 * with every stemmer when the table is built, so conjugated and plural
 * forms meet it after stemming (one hash lookup per token).
 */
#include "co_clf_text.h"

#include <glib.h>
#include <libstemmer.h>
#include <stdlib.h>
#include <string.h>

typedef struct co_clf_concept_s {
    const char *concept;
    const char *words; /* space-separated, case-folded */
} co_clf_concept_t;

static const co_clf_concept_t co_clf_concepts[] = {
    {"interview",
     "interview interviews interviewing entretien entretiens entrevue "
     "entrevista entrevistas vorstellungsgespräch vorstellungsgespräche "
     "bewerbungsgespräch interviewtermin sollicitatiegesprek "
     "kennismakingsgesprek kennenlerngespräch"},
    {"talk",
     "call chat conversation conversations talk appel échange échanger "
     "discussion discuter llamada charla conversación conversar hablar "
     "conversa conversar ligação chamada gespräch telefonat telefonieren "
     "gesprek bellen videocall visio visioconférence videollamada "
     "videochamada videogesprek meet meeting réunion reunión reunião "
     "termin afspraak"},
    {"schedule",
     "schedule scheduling reschedule availability available slot slots "
     "windows book calendar disponibilité disponibilités disponible "
     "créneau créneaux planifier agenda calendrier disponibilidad "
     "disponibles horario horarios agendar disponibilidade horário "
     "horários verfügbarkeit verfügbar zeitfenster terminvorschlag "
     "vereinbaren beschikbaarheid beschikbaar tijdslot inplannen "
     "convenient works suits"},
    {"offer", "offer offers offre offres oferta ofertas proposta angebot "
              "vertragsangebot aanbod arbeidsovereenkomst contract contrat "
              "contrato vertrag arbeitsvertrag promesse"},
    {"pay", "salary compensation pay bonus equity stock benefits base salaire "
            "rémunération prime brut salario remuneración sueldo retribución "
            "salário remuneração gehalt vergütung jahresgehalt salaris "
            "vergoeding loon"},
    {"congrats",
     "congratulations congrats congratulate delighted thrilled pleased "
     "félicitations féliciter ravi ravis ravie heureux heureuse "
     "enhorabuena felicidades felicitaciones encantados encantado "
     "parabéns felicitar felizes satisfação glückwunsch gratulieren "
     "freuen erfreut gefeliciteerd blij verheugd"},
    {"join", "join joining onboarding welcome rejoindre bienvenue intégrer "
             "incorporarte incorporación unirte bienvenido bienvenida juntar "
             "integrar bem-vindo ingresso beitreten willkommen einstieg "
             "eintrittsdatum aansluiten welkom indiensttreding"},
    {"start", "start starting startdatum début démarrage inicio incorporación "
              "início começar beginn antritt aanvang"},
    {"sign", "sign signed signature countersign signer signez signature firmar "
             "firma firme assinar assinatura unterschreiben unterschrift "
             "unterzeichnen ondertekenen handtekening"},
    {"accept",
     "accept acceptance accepter acceptation aceptar aceptación aceitar "
     "aceitação annehmen annahme zusage accepteren aanvaarden"},
    {"assessment",
     "assessment assessments test tests exercise exercises challenge "
     "evaluation quiz exercice exercices évaluation défi épreuve "
     "ejercicio ejercicios evaluación prueba pruebas desafío reto "
     "exercício avaliação teste desafio prova aufgabe aufgaben "
     "übungsaufgabe einstufungstest testaufgabe opdracht opdrachten "
     "beoordeling toets"},
    {"takehome",
     "take-home homework assignment assignments coding codility hackerrank "
     "codesignal testgorilla case devoir technique étude caso técnica "
     "técnico fallstudie programmieraufgabe programmeeropdracht casus"},
    {"deadline",
     "deadline due submit submission complete within expire expires "
     "délai soumettre rendre remettre échéance plazo entregar enviar "
     "completar fecha límite prazo submeter concluir frist einreichen "
     "abgeben deadline inleveren indienen binnen"},
    {"regret",
     "unfortunately regret regretfully sadly sorry malheureusement "
     "regret regrettons désolé désolés hélas lamentablemente "
     "desafortunadamente lamentamos sentimos lamentar infelizmente "
     "lamento leider bedauern bedauerlicherweise helaas jammer spijt"},
    {"others",
     "other candidates candidate another applicants applicant profiles "
     "candidat candidats candidate candidates autre autres candidato "
     "candidatos candidata otros otro outros outro kandidat kandidaten "
     "bewerber bewerberin bewerbern andere anderen kandidaten"},
    {"decline", "declined decline decided decision rejected reject selected "
                "selection filled closed proceed pursue moving forward "
                "décidé décision retenu retenue retenir suite sélection pourvu "
                "poursuivre decidido decisión seleccionado seleccionada "
                "seleccionar selección continuar avanzar cubierto decidimos "
                "decisão selecionado selecionada seleção avançar prosseguir "
                "preenchida entschieden entscheidung absage ausgewählt auswahl "
                "besetzt fortsetzen besloten beslissing afwijzing geselecteerd "
                "selectie vervuld verder voortzetten"},
    {"application",
     "application applications applied apply candidacy résumé resume cv "
     "candidature candidatures postulé postuler postulation "
     "candidatura candidaturas postulación postular postulado "
     "solicitud candidatar candidatou bewerbung bewerbungen beworben "
     "bewerben sollicitatie sollicitaties gesolliciteerd solliciteren"},
    {"received",
     "received receive receipt acknowledge acknowledgement confirm "
     "confirmation reçu reçue recevoir accusé confirmer confirmation "
     "recibido recibida recibir recepción confirmar confirmación "
     "recebemos recebida recebido receber confirmação erhalten "
     "eingegangen eingang bestätigen bestätigung ontvangen ontvangst "
     "bevestigen bevestiging"},
    {"review",
     "review reviewing reviewed consider consideration examine "
     "examiner étudier étudions examinerons analyser revisar revisaremos "
     "analizar estudiar evaluar analisar avaliar revisaremos prüfen "
     "sichten bearbeiten beoordelen bekijken"},
    {"thanks", "thank thanks grateful appreciate merci remercions remercie "
               "remerciements gracias agradecemos agradecer obrigado obrigada "
               "agradecemos danke danken dankbar bedanken bedankt dank"},
    {"role", "role position opening vacancy job poste emploi offre rôle "
             "puesto vacante empleo cargo rol posición vaga cargo função "
             "emprego stelle position rolle job vacature functie baan rol"},
    {"opportunity",
     "opportunity opportunities opportunité opportunités oportunidad "
     "oportunidades oportunidade chance gelegenheit möglichkeit kans "
     "mogelijkheid"},
    {"profile",
     "profile background experience linkedin profil parcours expérience "
     "perfil trayectoria experiencia experiência trajetória "
     "werdegang erfahrung lebenslauf profiel ervaring achtergrond"},
    {"interest",
     "interested interest interesting open curious intéressé intéressée "
     "intéresser intérêt interesado interesada interesar interés "
     "interessado interessada interesse interessiert interesse "
     "geïnteresseerd interessant"},
    {"recruiter",
     "recruiter recruiting recruitment headhunter talent sourcing "
     "recruteur recruteuse recrutement chasseur reclutador reclutadora "
     "reclutamiento selección recrutador recrutadora recrutamento "
     "personalvermittler recruiterin rekrutierung personalberater "
     "recruiter werving headhunter"},
    {"client",
     "client clients agency staffing cabinet cliente agencia consultora "
     "agência kunde kunden agentur personaldienstleister klant bureau "
     "uitzendbureau"},
    {"hiring", "hiring hire team manager founder cto ceo embauche recruter "
               "équipe fondateur contratación contratar equipo fundador "
               "contratação contratar equipe fundador einstellen team gründer "
               "geschäftsführer aannemen oprichter"},
    {"step", "step steps next round stage process étape étapes prochaine "
             "processus tour etapa etapas siguiente proceso ronda fase "
             "próxima processo schritt schritte nächste prozess runde phase "
             "stap stappen volgende proces ronde"},
    {"invite", "invite invitation invited invitons inviter invitation "
               "invitamos invitación invitar convidamos convite convidar "
               "einladen einladung laden uitnodigen uitnodiging nodigen"},
    {"hold", "hold paused pause freeze frozen cancelled canceled suspendu "
             "gelé annulé suspendido congelado cancelado suspenso pausiert "
             "gestoppt abgesagt storniert gepauzeerd geannuleerd"},
    {"bulk", "unsubscribe newsletter webinar digest alert alerts promotion "
             "discount sale désabonner désinscrire désinscription newsletter "
             "promotion réduction baja suscripción boletín descuento "
             "descadastrar assinatura desconto abmelden abbestellen rabatt "
             "afmelden uitschrijven nieuwsbrief korting"},
};

/* The concept of each stem, built with every stemmer. */
GHashTable *co_clf_concepts_new(struct sb_stemmer *const *stem, int nstem)
{
    GHashTable *h =
        g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    size_t n = sizeof co_clf_concepts / sizeof co_clf_concepts[0];
    for (size_t c = 0; c < n; c++) {
        const char *s = co_clf_concepts[c].words;
        while (*s) {
            size_t len = strcspn(s, " ");
            if (len > 0 && len < 64) {
                char w[64];
                memcpy(w, s, len);
                w[len] = '\0';
                if (!g_hash_table_contains(h, w))
                    g_hash_table_insert(h, g_strdup(w),
                                        (gpointer)co_clf_concepts[c].concept);
                for (int l = 0; l < nstem; l++) {
                    if (stem[l] == NULL || len < 3)
                        continue;
                    const sb_symbol *st = sb_stemmer_stem(
                        stem[l], (const sb_symbol *)w, (int)len);
                    int sn = st ? sb_stemmer_length(stem[l]) : 0;
                    if (sn <= 0)
                        continue;
                    char *k = g_strndup((const char *)st, (gsize)sn);
                    if (g_hash_table_contains(h, k))
                        g_free(k);
                    else
                        g_hash_table_insert(
                            h, k, (gpointer)co_clf_concepts[c].concept);
                }
            }
            s += len;
            while (*s == ' ')
                s++;
        }
    }
    return h;
}
