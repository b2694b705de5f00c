# bash completion for qjobctl                              -*- shell-script -*-
# Installed as /usr/share/bash-completion/completions/qjobctl; to try it from a
# checkout: source cli/completion/qjobctl.bash

# Job ids of the daemon, newest first, asked quietly (nothing if it is not up).
_qjobctl_job_ids()
{
    local -a socket_args=()
    local i
    for ((i = 1; i < ${#COMP_WORDS[@]} - 1; i++)); do
        if [[ ${COMP_WORDS[i]} == --socket ]]; then
            socket_args=(--socket "${COMP_WORDS[i + 1]}")
        fi
    done
    timeout 2 "${COMP_WORDS[0]}" "${socket_args[@]}" list --limit 200 --json 2>/dev/null |
        sed -n 's/^ *"id": *"\([^"]*\)".*/\1/p'
}

_qjobctl_files()
{
    if declare -F _filedir >/dev/null; then
        _filedir "$@"
    else
        compopt -o filenames 2>/dev/null
        local IFS=$'\n'
        COMPREPLY=($(compgen -f -- "$cur"))
    fi
}

_qjobctl()
{
    local cur prev
    cur=${COMP_WORDS[COMP_CWORD]}
    prev=${COMP_WORDS[COMP_CWORD - 1]}
    COMPREPLY=()

    local commands="submit batch status query list result cancel results watch targets health"
    local global_opts="--socket --json --help"

    # The command (and batch's subcommand) is the first word that is not an
    # option or an option's value.
    local command="" subcommand="" i word
    for ((i = 1; i < COMP_CWORD; i++)); do
        word=${COMP_WORDS[i]}
        case $word in
            --socket | --id | --name | --provider | --target | --shots | --priority | --tag | --seed | \
                --format | --status | --batch | --limit | --job | --after)
                ((i++))
                continue
                ;;
            -*) continue ;;
        esac
        if [[ -z $command ]]; then
            command=$word
        elif [[ $command == batch && -z $subcommand ]]; then
            subcommand=$word
            break
        fi
    done

    case $prev in
        --socket)
            _qjobctl_files
            return
            ;;
        --status)
            COMPREPLY=($(compgen -W "waiting executing succeeded failed cancelled" -- "$cur"))
            return
            ;;
        --format)
            if [[ $command == results ]]; then
                COMPREPLY=($(compgen -W "ndjson csv" -- "$cur"))
            else
                COMPREPLY=($(compgen -W "ionq.circuit.v0 qasm2" -- "$cur"))
            fi
            return
            ;;
        --priority)
            COMPREPLY=($(compgen -W "0 1 2 3 4 5 6 7 8 9" -- "$cur"))
            return
            ;;
        --job)
            COMPREPLY=($(compgen -W "$(_qjobctl_job_ids)" -- "$cur"))
            return
            ;;
        --id | --name | --provider | --target | --shots | --tag | --seed | --batch | --limit | --after)
            return
            ;;
    esac

    if [[ -z $command ]]; then
        if [[ $cur == -* ]]; then
            COMPREPLY=($(compgen -W "$global_opts" -- "$cur"))
        else
            COMPREPLY=($(compgen -W "$commands" -- "$cur"))
        fi
        return
    fi

    local opts=""
    case $command in
        submit) opts="--id --name --provider --target --shots --priority --tag --seed --format --wait" ;;
        batch)
            case $subcommand in
                status) opts="--wait" ;;
                cancel) opts="" ;;
                *) opts="--wait" ;;
            esac
            ;;
        status) opts="--history" ;;
        list) opts="--status --provider --target --batch --name --tag --limit --all" ;;
        result) opts="--no-wait" ;;
        results) opts="--batch --format" ;;
        watch) opts="--job --batch --after" ;;
    esac

    if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W "$opts $global_opts" -- "$cur"))
        return
    fi

    case $command in
        submit) _qjobctl_files ;;
        batch)
            if [[ -z $subcommand ]]; then
                COMPREPLY=($(compgen -W "status cancel" -- "$cur"))
                local -a files
                local IFS=$'\n'
                files=($(compgen -f -- "$cur"))
                COMPREPLY+=("${files[@]}")
            fi
            ;;
        status | query | result | cancel)
            COMPREPLY=($(compgen -W "$(_qjobctl_job_ids)" -- "$cur"))
            ;;
    esac
}

complete -F _qjobctl qjobctl
